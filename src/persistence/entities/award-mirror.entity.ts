import { Column, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** One user's award of one perk as Pepper last told us, and when the event that told us happened. */
@Entity('award_mirror')
@Index(['pepperUserId', 'perkId'])
export class AwardMirrorEntity {
  @PrimaryColumn({ type: 'varchar' })
  awardId: string;

  @Column({ type: 'varchar' })
  pepperUserId: string;

  @Column({ type: 'varchar' })
  perkId: string;

  @Column({ type: 'integer' })
  pointsAvailable: number;

  /** ISO time of the event (or read) that set pointsAvailable: an older event never winds it back. */
  @Column({ type: 'varchar' })
  asOf: string;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt: Date;
}
