import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * What CRM.COM last told us of one contact, for matching a seed's users without a search per user (README
 * "Performance"). A copy, never the truth: it only decides whom to look at, and it is refreshed before each page.
 */
@Entity('contact_index')
export class ContactIndexEntity {
  @PrimaryColumn({ type: 'varchar' })
  contactId: string;

  @Index('IDX_contact_index_code')
  @Column({ type: 'varchar', nullable: true })
  code: string | null;

  /** trimmed and lower-cased */
  @Index('IDX_contact_index_email')
  @Column({ type: 'varchar', nullable: true })
  email: string | null;

  /** E.164 */
  @Index('IDX_contact_index_phone')
  @Column({ type: 'varchar', nullable: true })
  phoneNumber: string | null;

  @Column({ type: 'varchar', nullable: true })
  firstName: string | null;

  @Column({ type: 'varchar', nullable: true })
  lastName: string | null;

  @Index('IDX_contact_index_wallet')
  @Column({ type: 'varchar', nullable: true })
  walletId: string | null;

  /**
   * The wallet's balance as the list showed it, and when that page was read: a matched user's opening balance without
   * a wallet read. Cleared when a journal for this contact comes in before the contact is linked.
   */
  @Column({ type: 'integer', nullable: true })
  walletBalanceMinor: number | null;

  @Column({ type: 'datetime', nullable: true })
  walletReadAt: Date | null;

  @Column({ type: 'boolean', default: false })
  emailOptOut: boolean;

  @Column({ type: 'boolean', default: false })
  smsOptOut: boolean;

  /** CRM.COM's created_date (epoch seconds); null for a contact we recorded ourselves before reading it back */
  @Column({ type: 'integer', nullable: true })
  createdOn: number | null;
}
