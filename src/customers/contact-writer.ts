import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { CrmComClient } from '../crmcom/crmcom.client';
import { CrmComError } from '../crmcom/crmcom.error';
import type { CrmContactWrite } from '../crmcom/crmcom.types';
import { formatKey } from '../ledger/keys';
import { WriteProtocol } from '../ledger/write-protocol';
import { SHADOW_WRITE } from '../ledger/sync-mode';
import type { PepperUser } from '../pepper/pepper.types';

/** "Already exists" from CRM.COM (inferred from the error examples): settled by reading back by code. */
const ALREADY_EXISTS = 'CRM.EXCEPTIONS.ALREADYEXISTSEXCEPTION';

/**
 * Creates the contact of a Pepper user, and its primary account (so it has a wallet), through the write protocol:
 * the contact's `code` is the Pepper user id, which makes creation idempotent and read-back exact.
 */
@Injectable()
export class ContactWriter {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly crm: CrmComClient,
    private readonly writes: WriteProtocol,
  ) {}

  /** Whether the contact of this user was ever sent (its outcome may still be in doubt). */
  attempted(pepperUserId: string): Promise<boolean> {
    return this.writes.attempted(this.keyOf(pepperUserId));
  }

  private keyOf(pepperUserId: string): string {
    return formatKey({ kind: 'contact', applicationId: this.config.pepper.applicationId, pepperUserId });
  }

  async create(user: PepperUser, profile: CrmContactWrite): Promise<string> {
    const createdId = await this.writes.write({
      idempotencyKey: this.keyOf(user.id),
      target: 'crmcom',
      kind: 'CONTACT_CREATE',
      pepperUserId: user.id,
      request: { code: user.id },
      send: () => this.crm.createContact({ ...profile, code: user.id }),
      readBack: async () => (await this.crm.findContacts({ code: user.id }))[0]?.id ?? null,
      meansAlreadyExists: (error) => error instanceof CrmComError && error.crmException === ALREADY_EXISTS,
    });
    return requireUpstreamId(createdId, `the contact of ${user.id} (code ${user.id})`);
  }

  /**
   * The contact's primary account (created when missing) and its wallet, which hangs off the contact. `created`: the
   * connector created this contact, so it has no account to look for; `readWallet`: false when the seed's contact
   * index brings the wallet id with its next refresh (customers/contact-index.ts).
   */
  async ensureWallet(
    contactId: string,
    knownWalletId: string | null,
    opts: { created?: boolean; readWallet?: boolean } = {},
  ): Promise<{ accountId: string | null; walletId: string | null }> {
    // The contact's wallet comes with its primary account: a contact read with its wallet (include_wallet=true) already
    // told us both exist, so no account or wallet read is made (the account id is only shown, never used).
    if (knownWalletId) return { accountId: null, walletId: knownWalletId };
    // inferred: a contact created through the API has no primary account until one is created (the documents leave it
    // to tenant settings). Guarded: an "already exists" answer is settled by reading the account back.
    const primary = opts.created ? undefined : (await this.crm.listAccounts(contactId)).find((a) => a.isPrimary);
    const accountId =
      primary?.id ??
      requireUpstreamId(await this.writes.write({
        idempotencyKey: formatKey({ kind: 'account', applicationId: this.config.pepper.applicationId, contactId }),
        target: 'crmcom',
        kind: 'ACCOUNT_CREATE',
        pepperUserId: null,
        request: { contactId, currency: this.config.crmcom.currency },
        send: () => this.crm.createPrimaryAccount(contactId, this.config.crmcom.currency),
        readBack: async () => (await this.crm.listAccounts(contactId)).find((a) => a.isPrimary)?.id ?? null,
        meansAlreadyExists: (error) => error instanceof CrmComError && error.crmException === ALREADY_EXISTS,
      }), `the primary account of contact ${contactId}`);
    const walletId = opts.readWallet === false ? null : (await this.crm.getContact(contactId)).walletId;
    // In shadow mode an account is only recorded: there is none to name yet.
    return { accountId: accountId === SHADOW_WRITE ? null : accountId, walletId };
  }
}

/** A write settled as done by an operator, whose record CRM.COM does not show: nothing to link to yet. */
function requireUpstreamId(id: string | null, what: string): string {
  if (id === null) throw new Error(`${what} was settled as created, but CRM.COM does not show it; check it in CRM.COM, then retry`);
  return id;
}

