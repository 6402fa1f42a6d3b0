import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type LinkStatus = 'LINKED' | 'CONFLICT' | 'DELETED';
export type MatchedBy = 'CODE' | 'EMAIL' | 'PHONE' | 'CREATED' | 'MANUAL';

@Entity('user_link')
export class UserLinkEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', unique: true })
  pepperUserId: string;

  /** Unique among LINKED rows only (partial index in the migration), so a deleted user's contact can be relinked. */
  @Column({ type: 'varchar', nullable: true })
  crmContactId: string | null;

  @Column({ type: 'varchar', nullable: true })
  crmAccountId: string | null;

  @Column({ type: 'varchar', nullable: true })
  crmWalletId: string | null;

  @Column({ type: 'varchar' })
  status: LinkStatus;

  @Column({ type: 'varchar', nullable: true })
  matchedBy: MatchedBy | null;

  /** Hash of the last profile written to the contact, so an unchanged profile costs no CRM.COM call. */
  @Column({ type: 'varchar', nullable: true })
  profileFingerprint: string | null;

  /** when the user was (last) linked to their contact */
  @Column({ type: 'datetime', nullable: true })
  linkedAt: Date | null;

  /** when the opening balances were read: wallet movements at or before it are inside the opening balance */
  @Column({ type: 'datetime', nullable: true })
  openingAt: Date | null;

  /**
   * the moment of the wallet balance the opening used (the contact index's read can precede the link): CRM.COM journals
   * at or before it are inside the opening balance; null: `openingAt`
   */
  @Column({ type: 'datetime', nullable: true })
  walletOpeningAt: Date | null;

  @CreateDateColumn({ type: 'datetime' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt: Date;
}
