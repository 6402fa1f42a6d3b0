import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { logEvent } from '../common/structured-log';
import { CrmComClient } from '../crmcom/crmcom.client';
import type { CrmContactWrite } from '../crmcom/crmcom.types';
import { ConflictReporter } from '../ledger/conflict-reporter';
import { ContactIndexStore, IndexedContact } from '../persistence/stores/contact-index.store';
import { LinkStore } from '../persistence/stores/link.store';
import type { ContactDirectory } from './contact-matcher';
import type { UserIdentity } from './identity';

/** How many created contacts one duplicate-check query covers. */
const DUPLICATE_CHECK_BATCH = 100;

interface CreatedContact {
  pepperUserId: string;
  contactId: string;
  email: string | null;
  phoneNumber: string | null;
}

/** How many contacts the seed has read and how (for the run's counts). */
export interface ContactIndexStats {
  loadedContacts: number;
  refreshedContacts: number;
  refreshes: number;
  walletsFilled: number;
  walletsRead: number;
  duplicates: number;
}

/**
 * The seed's local contact index (README "Performance"): CRM.COM's contacts are paged once, newest first, when the
 * first unlinked user needs matching, kept in the database, and refreshed (newest first, back to the newest contact
 * already known) before each page of users. Users are matched against it instead of three searches each. Contacts
 * created elsewhere between a refresh and our create are caught after the next refresh by the duplicate check, which
 * opens a DUPLICATE_CONTACT conflict; the wallets of the contacts we created are taken from the same refresh.
 *
 * If CRM.COM cannot list its contacts newest first (an ignored sort, no created_date), the index is unavailable for
 * the run and matching falls back to the direct searches: slower, never wrong.
 */
@Injectable()
export class ContactIndex {
  private readonly logger = new Logger('ContactIndex');
  private loading: Promise<boolean> | null = null;
  /** the created_date of the newest contact read; a refresh reads back to it */
  private newestSeen = 0;
  private created: CreatedContact[] = [];
  private stats: ContactIndexStats = ContactIndex.emptyStats();

  constructor(
    private readonly crm: CrmComClient,
    private readonly store: ContactIndexStore,
    private readonly links: LinkStore,
    private readonly conflictReporter: ConflictReporter,
    private readonly clock: Clock,
  ) {}

  private static emptyStats(): ContactIndexStats {
    return { loadedContacts: 0, refreshedContacts: 0, refreshes: 0, walletsFilled: 0, walletsRead: 0, duplicates: 0 };
  }

  /** A new seed run: the index is read again when first needed (contacts may have changed since the last run). */
  begin(): void {
    this.loading = null;
    this.newestSeen = 0;
    this.created = [];
    this.stats = ContactIndex.emptyStats();
  }

  counts(): ContactIndexStats {
    return { ...this.stats };
  }

  /**
   * Matching against the index, loading it on first use; null when it is unavailable (match directly instead).
   * Given the user's keys, their candidates are read in one query; any other key is looked up on its own.
   */
  async directory(linkedUserOf: ContactDirectory['linkedUserOf'], user?: { pepperUserId: string; identity: UserIdentity }): Promise<ContactDirectory | null> {
    if (!(await this.ensureLoaded())) return null;
    const found = user
      ? await this.store.candidates({
          code: user.pepperUserId,
          emails: [...user.identity.verifiedEmails, ...user.identity.unverifiedEmails],
          phones: [...user.identity.verifiedPhones, ...user.identity.unverifiedPhones],
        })
      : null;
    return {
      byCode: async (code) => found?.byCode(code) ?? this.store.byCode(code),
      byEmail: async (email) => found?.byEmail(email) ?? this.store.byEmail(email),
      byPhone: async (phone) => found?.byPhone(phone) ?? this.store.byPhone(phone),
      linkedUserOf,
    };
  }

  /** Starts reading the index now, without waiting (a first seed will need it for its first user). */
  preload(): void {
    void this.ensureLoaded();
  }

  /** Whether this run's index is loaded (a refresh before each page is only worth it then). */
  isLoaded(): boolean {
    return this.loading !== null;
  }

  /** A contact we have just created, so the users after it match it at once (its wallet comes with the next refresh). */
  async recordCreated(pepperUserId: string, contactId: string, profile: CrmContactWrite): Promise<void> {
    const contact = {
      id: contactId,
      code: pepperUserId,
      firstName: profile.firstName ?? null,
      lastName: profile.lastName ?? null,
      email: profile.email ?? null,
      phoneNumber: profile.phoneNumber ?? null,
      walletId: null,
      walletBalanceMinor: null,
      emailOptOut: profile.emailOptOut ?? false,
      smsOptOut: profile.smsOptOut ?? false,
    };
    // A refresh running meanwhile may have listed it already, with its wallet: that row is kept.
    await this.store.addCreated(contact);
    this.created.push({ pepperUserId, contactId, email: contact.email, phoneNumber: contact.phoneNumber });
  }

  /**
   * Reads what CRM.COM created since the newest contact known, then settles the contacts we created: their wallets,
   * and a duplicate check against contacts that appeared meanwhile. A failed refresh is logged and tried again at
   * the next page; the contacts stay pending.
   */
  async refresh(): Promise<void> {
    if (!this.loading || !(await this.loading)) return;
    try {
      this.stats.refreshes += 1;
      this.stats.refreshedContacts += await this.read(await this.readBackTo());
    } catch (error) {
      logEvent(this.logger, 'contact_index_refresh_failed', { error: (error as Error).message, note: 'tried again before the next page' }, 'warn');
      return;
    }
    await this.settleCreated(false);
  }

  /** End of the seed: one last refresh; a contact whose wallet it still does not show is read directly. */
  async finish(): Promise<void> {
    await this.refresh();
    await this.settleCreated(true);
  }

  private ensureLoaded(): Promise<boolean> {
    this.loading ??= this.load();
    return this.loading;
  }

  private async load(): Promise<boolean> {
    try {
      // Read afresh: a contact deleted in CRM.COM since the last seed must not be matched from an old copy.
      await this.store.clear();
      this.stats.loadedContacts = await this.read(null);
      logEvent(this.logger, 'contact_index_loaded', { contacts: this.stats.loadedContacts });
      return true;
    } catch (error) {
      logEvent(
        this.logger,
        'contact_index_unavailable',
        { error: (error as Error).message, note: 'this seed matches each user with direct CRM.COM searches' },
        'warn',
      );
      return false;
    }
  }

  /**
   * Back to the newest contact known; or further, to a contact of ours that a refresh listed before its primary account
   * was created (so without its wallet): read again, its wallet comes from the list instead of a read of its own at the end.
   */
  private async readBackTo(): Promise<number> {
    const oldest = this.created.length > 0 ? await this.store.oldestListedWithoutWallet(this.created.map((c) => c.contactId)) : null;
    return oldest === null ? this.newestSeen : Math.min(this.newestSeen, oldest);
  }

  /** Pages newest first until a contact older than `backTo` (every contact when null); answers how many were read. */
  private async read(backTo: number | null): Promise<number> {
    let read = 0;
    let newest = this.newestSeen;
    for await (const page of this.crm.contactsNewestFirst()) {
      const fresh = backTo === null ? page : page.filter((item) => (item.createdOn as number) >= backTo);
      // The page has arrived: the balances it shows are as of now at the latest (README "Opening balances").
      await this.store.upsertListed(fresh, this.clock.now());
      read += fresh.length;
      for (const item of fresh) newest = Math.max(newest, item.createdOn as number);
      // The same second as the newest known is read again: contacts created in it after the last read are new.
      if (fresh.length < page.length) break;
    }
    this.newestSeen = newest;
    return read;
  }

  private async settleCreated(readMissing: boolean): Promise<void> {
    if (this.created.length === 0) return;
    const pending = this.created;
    this.created = [];
    const wallets = await this.store.walletsOf(pending.map((c) => c.contactId));
    const holders = await this.holdersOf(pending);
    for (const created of pending) {
      let walletId = wallets.get(created.contactId) ?? null;
      if (!walletId && readMissing) {
        try {
          walletId = (await this.crm.getContact(created.contactId)).walletId;
          this.stats.walletsRead += 1;
        } catch (error) {
          logEvent(this.logger, 'contact_wallet_unread', { pepperUserId: created.pepperUserId, crmContactId: created.contactId, error: (error as Error).message }, 'warn');
        }
      }
      if (walletId) {
        if (await this.links.setWalletIfMissing(created.pepperUserId, created.contactId, walletId)) this.stats.walletsFilled += 1;
      } else if (!readMissing) {
        this.created.push(created);
      }
      await this.checkDuplicates(created, holders);
    }
  }

  /** The contacts holding the emails and phones of the contacts we created, read a batch at a time (not one query each). */
  private async holdersOf(created: CreatedContact[]): Promise<Map<string, IndexedContact[]>> {
    const byKey = new Map<string, IndexedContact[]>();
    for (let i = 0; i < created.length; i += DUPLICATE_CHECK_BATCH) {
      const batch = created.slice(i, i + DUPLICATE_CHECK_BATCH);
      const emails = batch.flatMap((c) => (c.email ? [c.email] : []));
      const phones = batch.flatMap((c) => (c.phoneNumber ? [c.phoneNumber] : []));
      const found = await this.store.candidates({ code: null, emails, phones });
      for (const email of emails) byKey.set(`email:${email}`, found.byEmail(email) ?? []);
      for (const phone of phones) byKey.set(`phone:${phone}`, found.byPhone(phone) ?? []);
    }
    return byKey;
  }

  /** Another contact holding the email or phone we gave a new contact was created elsewhere meanwhile: an operator decides. */
  private async checkDuplicates(created: CreatedContact, holders: Map<string, IndexedContact[]>): Promise<void> {
    const others = new Map<string, string>();
    if (created.email) for (const c of holders.get(`email:${created.email}`) ?? []) if (c.id !== created.contactId) others.set(c.id, 'email');
    if (created.phoneNumber) for (const c of holders.get(`phone:${created.phoneNumber}`) ?? []) if (c.id !== created.contactId) others.set(c.id, 'phone');
    if (others.size === 0) return;
    this.stats.duplicates += 1;
    await this.conflictReporter.report({
      kind: 'DUPLICATE_CONTACT',
      pepperUserId: created.pepperUserId,
      candidateContactIds: [created.contactId, ...others.keys()],
      details: {
        reason: 'a contact created meanwhile holds the email or phone of the contact the connector created for this user',
        createdContactId: created.contactId,
        fields: [...new Set(others.values())],
      },
    });
  }
}
