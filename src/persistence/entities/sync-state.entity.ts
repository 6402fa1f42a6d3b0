import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** `sync.mode` holds the SYNC_MODE the database last ran in (its cursor: `live` or `shadow`). */
export type FeedName = 'pepper.actions' | 'crmcom.journals' | 'pepper.users-seed' | 'pepper.awards-seed' | 'pepper.awards-snapshot' | 'sync.mode';

/** One row per feed: where it is, and how it is doing. The cursor moves only after its batch is committed. */
@Entity('sync_state')
export class SyncStateEntity {
  @PrimaryColumn({ type: 'varchar' })
  feed: FeedName;

  /** ISO timestamp (actions, journals) or "DONE" for the seed. */
  @Column({ type: 'varchar', nullable: true })
  cursor: string | null;

  @Column({ type: 'varchar', default: 'IDLE' })
  stage: string;

  @Column({ type: 'datetime', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'integer', default: 0 })
  failureCount: number;

  @Column({ type: 'datetime', nullable: true })
  retryAfter: Date | null;

  @Column({ type: 'varchar', nullable: true })
  lastError: string | null;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt: Date;
}
