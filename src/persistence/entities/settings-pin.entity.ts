import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** The loyalty settings seen at the first start with a valid wallet perk; changing them later would revalue balances. */
@Entity('settings_pin')
export class SettingsPinEntity {
  @PrimaryColumn({ type: 'varchar' })
  name: string;

  @Column({ type: 'varchar' })
  value: string;

  @CreateDateColumn({ type: 'datetime' })
  pinnedAt: Date;
}
