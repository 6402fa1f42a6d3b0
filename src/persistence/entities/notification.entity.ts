import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type NotificationKind = 'TRANSACTIONAL' | 'CAMPAIGN';
/** SENDING: stored, the send not answered yet; IN_DOUBT: the answer was lost (never resent blindly). */
export type NotificationState = 'SENDING' | 'SENT' | 'IN_DOUBT' | 'FAILED';

/** One app notification the connector sent (or is sending) through Pepper, and its delivery status. */
@Entity('notification')
export class NotificationEntity {
  @PrimaryGeneratedColumn()
  id: number;

  /** the idempotency key: `crmcom:notification:<eventId>` or `pepper:<app>:campaign:<id>`; unique */
  @Column({ type: 'varchar' })
  key: string;

  @Column({ type: 'varchar' })
  kind: NotificationKind;

  @Column({ type: 'varchar', nullable: true })
  pepperUserId: string | null;

  @Column({ type: 'varchar', nullable: true })
  crmContactId: string | null;

  /** campaigns: the mirrored Pepper segment, and its source */
  @Column({ type: 'varchar', nullable: true })
  pepperSegmentId: string | null;

  @Column({ type: 'varchar', nullable: true })
  source: string | null;

  @Column({ type: 'varchar', nullable: true })
  title: string | null;

  @Column({ type: 'varchar' })
  message: string;

  @Column({ type: 'boolean' })
  isProcessingMessage: boolean;

  @Column({ type: 'varchar' })
  state: NotificationState;

  @Column({ type: 'varchar', nullable: true })
  pepperNotificationId: string | null;

  /** Pepper's delivery status (`PENDING`, …, `DONE`) and counts, as last polled */
  @Column({ type: 'varchar', nullable: true })
  pepperStatus: string | null;

  @Column({ type: 'integer', nullable: true })
  sent: number | null;

  @Column({ type: 'integer', nullable: true })
  failures: number | null;

  @Column({ type: 'integer', nullable: true })
  skipped: number | null;

  @Column({ type: 'varchar', nullable: true })
  error: string | null;

  @Column({ type: 'varchar', nullable: true })
  actor: string | null;

  @CreateDateColumn({ type: 'datetime' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt: Date;
}
