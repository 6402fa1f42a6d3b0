import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, Not, Repository } from 'typeorm';
import { ContactIndexEntity } from '../entities';
import { TableRows } from '../table-rows';

const UPSERT_CHUNK = 200;

/** A contact as the index holds it (the same fields as the CRM.COM client's contact, which this layer cannot name). */
export interface IndexedContact {
  id: string;
  code: string | null;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phoneNumber: string | null;
  walletId: string | null;
  walletBalanceMinor: number | null;
  emailOptOut: boolean;
  smsOptOut: boolean;
}

/** A wallet balance the contact list showed, and when its page was read. */
export interface ListedWalletBalance {
  walletId: string;
  balanceMinor: number;
  readAt: Date;
}

/** What `candidates` found, per key; null for a key it was not asked (look it up on its own). */
export interface IndexCandidates {
  byCode(code: string): IndexedContact[] | null;
  byEmail(email: string): IndexedContact[] | null;
  byPhone(phone: string): IndexedContact[] | null;
}

const normalEmail = (email: string | null): string | null => (email ? email.trim().toLowerCase() : null);

function toContact(row: ContactIndexEntity): IndexedContact {
  return {
    id: row.contactId,
    code: row.code,
    firstName: row.firstName,
    lastName: row.lastName,
    email: row.email,
    phoneNumber: row.phoneNumber,
    walletId: row.walletId,
    walletBalanceMinor: row.walletBalanceMinor,
    emailOptOut: row.emailOptOut,
    smsOptOut: row.smsOptOut,
  };
}

/**
 * The row of a contact; emails are kept normalised, so lookups by email are exact. `readAt`: when the page showing it
 * was read (null for a contact we recorded ourselves), which dates its wallet balance.
 */
function toRow(contact: IndexedContact, createdOn: number | null, readAt: Date | null): ContactIndexEntity {
  return {
    contactId: contact.id,
    code: contact.code,
    email: normalEmail(contact.email),
    phoneNumber: contact.phoneNumber,
    firstName: contact.firstName,
    lastName: contact.lastName,
    walletId: contact.walletId,
    walletBalanceMinor: readAt === null ? null : contact.walletBalanceMinor,
    walletReadAt: readAt === null || contact.walletBalanceMinor === null ? null : readAt,
    emailOptOut: contact.emailOptOut,
    smsOptOut: contact.smsOptOut,
    createdOn,
  };
}

/** The local copy of CRM.COM's contacts the seed matches against (customers/contact-index.ts). */
@Injectable()
export class ContactIndexStore {
  /** the statements made for every user (table-rows.ts) */
  private readonly rows: TableRows<ContactIndexEntity>;

  constructor(@InjectRepository(ContactIndexEntity) private readonly repo: Repository<ContactIndexEntity>) {
    this.rows = new TableRows(repo);
  }

  /** Stores what a page of CRM.COM's list showed (read at `readAt`); a later read of a contact replaces the earlier one. */
  async upsertListed(items: ReadonlyArray<{ contact: IndexedContact; createdOn: number | null }>, readAt: Date): Promise<void> {
    for (let i = 0; i < items.length; i += UPSERT_CHUNK) {
      const rows = items.slice(i, i + UPSERT_CHUNK).map(({ contact, createdOn }) => toRow(contact, createdOn, readAt));
      await this.repo.upsert(rows, ['contactId']);
    }
  }

  /** A contact the connector has just created; a row already there (listed by a refresh) is left as it is. */
  async addCreated(contact: IndexedContact): Promise<void> {
    await this.rows.insertIfAbsent(toRow(contact, null, null));
  }

  async clear(): Promise<void> {
    await this.repo.clear();
  }

  async byCode(code: string): Promise<IndexedContact[]> {
    return (await this.repo.findBy({ code })).map(toContact);
  }

  async byEmail(email: string): Promise<IndexedContact[]> {
    const normal = normalEmail(email);
    return normal ? (await this.repo.findBy({ email: normal })).map(toContact) : [];
  }

  async byPhone(phoneNumber: string): Promise<IndexedContact[]> {
    return (await this.repo.findBy({ phoneNumber })).map(toContact);
  }

  /**
   * The contacts holding this code, any of these emails (any case) or any of these phones, in one query (a user's
   * match, a duplicate check), answered per key from memory. A key not asked here answers null.
   */
  async candidates(keys: { code: string | null; emails: readonly string[]; phones: readonly string[] }): Promise<IndexCandidates> {
    const emails = [...new Set(keys.emails.map(normalEmail).filter((e): e is string => e !== null))];
    const phones = [...new Set(keys.phones)];
    const where: string[] = [];
    if (keys.code !== null) where.push('"code" = ?');
    if (emails.length > 0) where.push(`"email" IN (${emails.map(() => '?').join(', ')})`);
    if (phones.length > 0) where.push(`"phoneNumber" IN (${phones.map(() => '?').join(', ')})`);
    const params = [...(keys.code !== null ? [keys.code] : []), ...emails, ...phones];
    const rows = where.length === 0 ? [] : await this.rows.select(where.join(' OR '), params);
    const contacts = rows.map(toContact);
    return {
      byCode: (code) => (code === keys.code ? contacts.filter((c) => c.code === code) : null),
      byEmail: (email) => {
        const normal = normalEmail(email);
        if (normal === null) return [];
        return emails.includes(normal) ? contacts.filter((c) => c.email === normal) : null;
      },
      byPhone: (phone) => (phones.includes(phone) ? contacts.filter((c) => c.phoneNumber === phone) : null),
    };
  }

  /** The wallets CRM.COM has shown for these contacts (those not shown yet are absent). */
  async walletsOf(contactIds: string[]): Promise<Map<string, string>> {
    const wallets = new Map<string, string>();
    for (let i = 0; i < contactIds.length; i += UPSERT_CHUNK) {
      const rows = await this.repo.findBy({ contactId: In(contactIds.slice(i, i + UPSERT_CHUNK)) });
      for (const row of rows) if (row.walletId) wallets.set(row.contactId, row.walletId);
    }
    return wallets;
  }

  /** The oldest of these contacts the list has shown without a wallet (its `createdOn`); null when none. */
  async oldestListedWithoutWallet(contactIds: string[]): Promise<number | null> {
    let oldest: number | null = null;
    for (let i = 0; i < contactIds.length; i += UPSERT_CHUNK) {
      const row = await this.repo.findOne({
        where: { contactId: In(contactIds.slice(i, i + UPSERT_CHUNK)), walletId: IsNull(), createdOn: Not(IsNull()) },
        order: { createdOn: 'ASC' },
      });
      if (row?.createdOn != null && (oldest === null || row.createdOn < oldest)) oldest = row.createdOn;
    }
    return oldest;
  }

  /** The wallet balance the list showed for this contact, when it showed one and no journal has come in for it since. */
  async listedWalletBalance(contactId: string): Promise<ListedWalletBalance | null> {
    const row = await this.rows.selectOne('"contactId" = ?', [contactId]);
    if (!row?.walletId || row.walletBalanceMinor === null || row.walletReadAt === null) return null;
    return { walletId: row.walletId, balanceMinor: row.walletBalanceMinor, readAt: row.walletReadAt };
  }

  /**
   * A journal of this contact (or wallet) came in: the balance the list showed may no longer be the whole story of the
   * journals taken in, so an opening balance reads the wallet instead.
   */
  async forgetWalletBalance(of: { contactId: string | null; walletId: string | null }): Promise<void> {
    const forgotten = { walletBalanceMinor: null, walletReadAt: null };
    if (of.contactId) await this.repo.update({ contactId: of.contactId, walletBalanceMinor: Not(IsNull()) }, forgotten);
    if (of.walletId) await this.repo.update({ walletId: of.walletId, walletBalanceMinor: Not(IsNull()) }, forgotten);
  }

  /** Whether CRM.COM has shown this wallet on some contact (the index knows whose it is). */
  async knowsWallet(walletId: string): Promise<boolean> {
    return (await this.repo.count({ where: { walletId }, take: 1 })) > 0;
  }
}
