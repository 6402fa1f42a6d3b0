import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Pepper's perk catalogue, mirrored read-only (daily and on resync). */
@Entity('perk')
export class PerkEntity {
  @PrimaryColumn({ type: 'varchar' })
  perkId: string;

  @Column({ type: 'varchar' })
  template: string;

  @Column({ type: 'varchar' })
  title: string;

  @Column({ type: 'boolean' })
  enabled: boolean;

  @Column({ type: 'boolean', default: false })
  isWalletPerk: boolean;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt: Date;
}
