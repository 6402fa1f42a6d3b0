import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type WriteTarget = 'pepper' | 'crmcom';
/** SHADOW: a write the connector would have made in SYNC_MODE=shadow; never sent, never counted. */
export type WriteState = 'PENDING' | 'DONE' | 'UNKNOWN' | 'FAILED' | 'SHADOW';

/** One row per attempt of a write to either side, stored before the call is sent. */
@Entity('outbound_write')
export class OutboundWriteEntity {
  @PrimaryGeneratedColumn()
  id: number;

  /** Several attempts share a key, e.g. pepper:<appId>:contact:<userId>. */
  @Column({ type: 'varchar' })
  idempotencyKey: string;

  @Column({ type: 'varchar' })
  target: WriteTarget;

  @Column({ type: 'varchar' })
  kind: string;

  @Column({ type: 'varchar', nullable: true })
  pepperUserId: string | null;

  @Column({ type: 'integer', nullable: true })
  points: number | null;

  @Column({ type: 'integer', nullable: true })
  amountMinor: number | null;

  @Column({ type: 'simple-json', nullable: true })
  request: unknown;

  @Column({ type: 'simple-json', nullable: true })
  response: unknown;

  @Column({ type: 'varchar' })
  state: WriteState;

  @Column({ type: 'datetime' })
  sentAt: Date;

  @Column({ type: 'varchar', nullable: true })
  upstreamId: string | null;

  /** Pepper grants and redemptions: the perk and award they move, for echo matching. */
  @Column({ type: 'varchar', nullable: true })
  perkId: string | null;

  @Column({ type: 'varchar', nullable: true })
  awardId: string | null;

  /** the award's balance after the write, when its answer said so */
  @Column({ type: 'integer', nullable: true })
  balanceAfter: number | null;

  /** the Pepper action recognised as this attempt's echo */
  @Column({ type: 'varchar', nullable: true })
  matchedActionId: string | null;

  @Column({ type: 'varchar', nullable: true })
  error: string | null;

  /** a Pepper attempt given up because the actions feed passed it without an echo */
  @Column({ type: 'datetime', nullable: true })
  gaveUpAt: Date | null;

  /** the operator who settled this write in doubt by hand; null when the connector settled it */
  @Column({ type: 'varchar', nullable: true })
  settledBy: string | null;

  @Column({ type: 'datetime', nullable: true })
  settledAt: Date | null;

  @CreateDateColumn({ type: 'datetime' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt: Date;
}
