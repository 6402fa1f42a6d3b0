import { Column, Entity, PrimaryColumn } from 'typeorm';

export type JobName =
  | 'users-seed'
  | 'actions-poll'
  | 'actions-sweep'
  | 'actions-backfill'
  | 'perks-sync'
  | 'journals-poll'
  | 'journals-sweep'
  | 'reconcile'
  | 'segments-sync'
  | 'products-sync'
  | 'notifications-poll'

  // Postgres, several instances: each instance's share of an event queue (not leased; the events are claimed)
  | 'pepper-queue'
  | 'crmcom-queue';
export type RunTrigger = 'SCHEDULE' | 'ADMIN' | 'STARTUP';
export type RunState = 'RUNNING' | 'DONE' | 'FAILED' | 'STOPPED';

@Entity('sync_run')
export class SyncRunEntity {
  @PrimaryColumn({ type: 'varchar' })
  runId: string;

  @Column({ type: 'varchar' })
  job: JobName;

  @Column({ type: 'varchar' })
  trigger: RunTrigger;

  @Column({ type: 'varchar' })
  state: RunState;

  @Column({ type: 'datetime' })
  startedAt: Date;

  @Column({ type: 'datetime', nullable: true })
  finishedAt: Date | null;

  @Column({ type: 'simple-json' })
  counts: Record<string, number>;

  @Column({ type: 'varchar', nullable: true })
  error: string | null;

  @Column({ type: 'varchar', nullable: true })
  actor: string | null;

  /** the instance that ran it (hostname:pid:random) */
  @Column({ type: 'varchar', nullable: true })
  instance: string | null;

  @Column({ type: 'simple-json', nullable: true })
  params: Record<string, unknown> | null;
}
