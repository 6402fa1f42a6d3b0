import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type SegmentSourceOrigin = 'config' | 'admin';

/** What the last mirror run of a source saw and did. */
export interface SegmentRunSummary {
  at: string;
  state: 'APPLIED' | 'UNCHANGED' | 'GUARDED' | 'FAILED';
  crmMembers: number;
  linked: number;
  unlinked: number;
  pepperMembers: number;
  added: number;
  removed: number;
  reason?: string;
}

/**
 * A CRM.COM audience (contact segment, reward tier or tag) and the Pepper segment the connector created to mirror it.
 * A Pepper segment is the connector's own only when its id is recorded here: nothing else is ever touched.
 */
@Entity('segment_mirror')
export class SegmentMirrorEntity {
  /** `kind:id`, e.g. `tier:gold` */
  @PrimaryColumn({ type: 'varchar' })
  source: string;

  @Column({ type: 'varchar' })
  kind: string;

  @Column({ type: 'varchar' })
  externalId: string;

  @Column({ type: 'varchar' })
  name: string;

  /** from SEGMENT_MAP (re-applied at each run) or from `PUT /admin/segments/:source` */
  @Column({ type: 'varchar' })
  origin: SegmentSourceOrigin;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  /** the Pepper segment the connector created; null until created */
  @Column({ type: 'varchar', nullable: true })
  pepperSegmentId: string | null;

  /** counts the Pepper segments created for this source (a recreated one gets a new idempotency key) */
  @Column({ type: 'integer', default: 0 })
  generation: number;

  @Column({ type: 'simple-json', nullable: true })
  lastRun: SegmentRunSummary | null;

  @CreateDateColumn({ type: 'datetime' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt: Date;
}
