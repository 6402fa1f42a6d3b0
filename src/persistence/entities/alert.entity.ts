import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * PENDING: to be posted to ALERT_WEBHOOK_URL (retried with backoff); SENT: the receiver answered 2xx; FAILED: gave up
 * after the last attempt; LOCAL: no webhook configured, stored and listed only.
 */
export type AlertState = 'PENDING' | 'SENT' | 'FAILED' | 'LOCAL';
export type AlertSeverity = 'critical' | 'warning' | 'info';

/** One alert for an operator: stored first, then delivered. Repeats of the same key within the window only count. */
@Entity('alert')
@Index(['key', 'firstSeenAt'])
@Index(['state', 'nextAttemptAt'])
export class AlertEntity {
  @PrimaryGeneratedColumn()
  id: number;

  /** the de-duplication key, e.g. "feed_stalled:pepper.actions" */
  @Column({ type: 'varchar' })
  key: string;

  /** feed_stalled, feed_recovered, auth_failed, auth_recovered, event_parked, reconcile_withheld, conflict */
  @Column({ type: 'varchar' })
  kind: string;

  @Column({ type: 'varchar' })
  severity: AlertSeverity;

  /** the line an operator reads (the webhook's `text`) */
  @Column({ type: 'varchar' })
  text: string;

  /** the structured fields (ids, reasons) sent beside `text` */
  @Column({ type: 'simple-json' })
  fields: Record<string, unknown>;

  @Column({ type: 'varchar' })
  state: AlertState;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ type: 'datetime', nullable: true })
  nextAttemptAt: Date | null;

  @Column({ type: 'varchar', nullable: true })
  lastError: string | null;

  /** how many times it was raised within the de-duplication window (the first included) */
  @Column({ type: 'integer', default: 1 })
  occurrences: number;

  @Column({ type: 'datetime' })
  firstSeenAt: Date;

  @Column({ type: 'datetime' })
  lastSeenAt: Date;

  @Column({ type: 'datetime', nullable: true })
  sentAt: Date | null;
}
