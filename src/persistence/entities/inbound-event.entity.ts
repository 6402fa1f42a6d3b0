import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type EventSource = 'pepper' | 'crmcom';
export type InboundEventState = 'PENDING' | 'WAITING_LINK' | 'DONE' | 'SKIPPED' | 'FAILED';

/** Every Pepper action and CRM.COM journal taken in: the dedupe and the retry queue. */
@Entity('inbound_event')
@Index(['source', 'externalId'], { unique: true })
export class InboundEventEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar' })
  source: EventSource;

  @Column({ type: 'varchar' })
  externalId: string;

  @Column({ type: 'varchar' })
  type: string;

  @Column({ type: 'varchar', nullable: true })
  pepperUserId: string | null;

  @Column({ type: 'simple-json' })
  payload: unknown;

  /** When it happened upstream (ISO); processing runs oldest first. */
  @Column({ type: 'varchar' })
  occurredAt: string;

  @Column({ type: 'varchar' })
  state: InboundEventState;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ type: 'varchar', nullable: true })
  lastError: string | null;

  @Column({ type: 'datetime', nullable: true })
  nextAttemptAt: Date | null;

  /** the points this movement stands for, stored before any upstream call so every retry sends the same movement */
  @Column({ type: 'integer', nullable: true })
  movementPoints: number | null;

  /** when it started waiting (for a link, an echo, an opening balance, loyalty); waits are bounded by MAX_WAIT_HOURS */
  @Column({ type: 'datetime', nullable: true })
  waitingSince: Date | null;

  /** the instance working (or that worked) this event; a claim is live until claimedUntil (Postgres, several instances) */
  @Column({ type: 'varchar', nullable: true })
  claimedBy: string | null;

  @Column({ type: 'datetime', nullable: true })
  claimedUntil: Date | null;

  @CreateDateColumn({ type: 'datetime' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt: Date;
}
