import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One admin call that changed (or tried to change) data: who, what, before and after, and how it ended. */
@Entity('audit_entry')
@Index(['at'])
export class AuditEntryEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'datetime' })
  at: Date;

  /** the `actor` the operator named, or "unnamed" */
  @Column({ type: 'varchar' })
  actor: string;

  /** e.g. "POST /admin/conflicts/:id/resolve" */
  @Column({ type: 'varchar' })
  action: string;

  /** the route's ids, e.g. {"id":"17"} */
  @Column({ type: 'simple-json', nullable: true })
  target: Record<string, string> | null;

  /** the request body (validated fields only) */
  @Column({ type: 'simple-json', nullable: true })
  params: unknown;

  @Column({ type: 'simple-json', nullable: true })
  before: unknown;

  @Column({ type: 'simple-json', nullable: true })
  after: unknown;

  /** "ok" or "error" */
  @Column({ type: 'varchar' })
  result: string;

  @Column({ type: 'integer' })
  status: number;

  @Column({ type: 'varchar', nullable: true })
  error: string | null;

  @Column({ type: 'varchar', nullable: true })
  requestId: string | null;
}
