import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { logEvent } from '../common/structured-log';
import { UserLocks } from '../ledger/user-locks';
import { CrmComClient } from '../crmcom/crmcom.client';
import { CrmComError } from '../crmcom/crmcom.error';
import type { CrmContact, CrmContactWrite } from '../crmcom/crmcom.types';
import type { PepperUser } from '../pepper/pepper.types';
import type { ConflictKind, MatchedBy, UserLinkEntity } from '../persistence/entities';
import { ConflictStore } from '../persistence/stores/conflict.store';
import { EventStore } from '../persistence/stores/event.store';
import { LinkStore } from '../persistence/stores/link.store';
import { contactProfileOf, profileFingerprint } from './contact-profile';
import { ContactDirectory, decideMatch, MatchDecision } from './contact-matcher';
import { identityOf } from './identity';
import { WriteProtocol } from '../ledger/write-protocol';
import { ConflictReporter } from '../ledger/conflict-reporter';
import { formatKey } from '../ledger/keys';

export type UserSyncResult = 'CREATED' | 'LINKED' | 'UPDATED' | 'UNCHANGED' | 'CONFLICT' | 'DELETED';

export interface UserSyncOutcome {
  result: UserSyncResult;
  link: UserLinkEntity | null;
  conflictKind?: ConflictKind;
}

const ALREADY_EXISTS = 'CRM.EXCEPTIONS.ALREADYEXISTSEXCEPTION';

/**
 * Published (awaited, under the user's lock) whenever a user gets linked: the loyalty flows read the opening balances
 * then. Customers never depend on loyalty; a listener that fails is caught up by the loyalty link repair.
 */
export const USER_LINKED = 'customers.user-linked';

export interface LinkedEvent {
  pepperUserId: string;
  crmContactId: string;
  crmWalletId: string | null;
  /** the connector created the contact (rather than matching an existing one) */
  created: boolean;
}

/** Keeps one Pepper user linked to one CRM.COM contact (design §5 "Users"), under that user's lock. */
@Injectable()
export class UserLinker {
  private readonly logger = new Logger('UserLinker');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly crm: CrmComClient,
    private readonly links: LinkStore,
    private readonly conflicts: ConflictStore,
    private readonly events: EventStore,
    private readonly locks: UserLocks,
    private readonly writes: WriteProtocol,
    private readonly conflictReporter: ConflictReporter,
    private readonly emitter: EventEmitter2,
  ) {}

  private readonly directory: ContactDirectory = {
    byCode: (code) => this.crm.findContacts({ code }),
    byEmail: (email) => this.crm.findContacts({ email }),
    byPhone: (phone) => this.crm.findContacts({ phone }),
    linkedUserOf: async (contactId) => (await this.links.findLinkedByContact(contactId))?.pepperUserId ?? null,
  };

  /** Links, creates, updates or reports a conflict for one user. Deleted users mark their link. */
  syncUser(user: PepperUser, actor: string | null = null): Promise<UserSyncOutcome> {
    return this.locks.forUser(user.id, async () => {
      if (user.deleted) return this.markDeletedUnlocked(user.id);
      const link = await this.links.findByUser(user.id);
      if (link?.status === 'LINKED' && link.crmContactId) return this.updateProfile(link, user);
      const identity = identityOf(user, this.config.phoneDefaultRegion);
      const decision = await decideMatch(user.id, identity, this.directory);
      return this.apply(user, decision, actor);
    });
  }

  markDeleted(pepperUserId: string): Promise<UserSyncOutcome> {
    return this.locks.forUser(pepperUserId, () => this.markDeletedUnlocked(pepperUserId));
  }

  /** An operator's choice: link to a named contact, which must exist and be free. */
  linkToContact(user: PepperUser, contactId: string, actor: string | null): Promise<UserSyncOutcome> {
    return this.locks.forUser(user.id, async () => {
      const contact = await this.crm.getContact(contactId);
      const owner = await this.links.findLinkedByContact(contact.id);
      if (owner && owner.pepperUserId !== user.id) {
        throw new ContactTakenError(contact.id, owner.pepperUserId);
      }
      return this.linkExisting(user, contact, 'MANUAL', actor);
    });
  }

  /** An operator's choice: give the user a new contact even though others matched. */
  createContactFor(user: PepperUser, actor: string | null): Promise<UserSyncOutcome> {
    return this.locks.forUser(user.id, () => this.createAndLink(user, actor));
  }

  private async apply(user: PepperUser, decision: MatchDecision, actor: string | null): Promise<UserSyncOutcome> {
    switch (decision.kind) {
      case 'CONFLICT':
        return this.recordConflict(user.id, decision);
      case 'LINK':
        // The contact holding the user's code is one we sent (its answer lost): settle that write, link it as created.
        if (decision.matchedBy === 'CODE' && (await this.writes.attempted(this.contactKey(user.id)))) return this.createAndLink(user, actor);
        return this.linkExisting(user, decision.contact, decision.matchedBy, actor);
      case 'CREATE':
        return this.createAndLink(user, actor);
    }
  }

  private async recordConflict(
    pepperUserId: string,
    decision: Extract<MatchDecision, { kind: 'CONFLICT' }>,
  ): Promise<UserSyncOutcome> {
    await this.conflictReporter.report({
      kind: decision.conflictKind,
      pepperUserId,
      candidateContactIds: decision.candidateContactIds,
      details: { reason: decision.reason, ...decision.details },
    });
    const link = await this.links.markConflict(pepperUserId);
    return { result: 'CONFLICT', link, conflictKind: decision.conflictKind };
  }

  private async linkExisting(
    user: PepperUser,
    contact: CrmContact,
    matchedBy: MatchedBy,
    actor: string | null,
  ): Promise<UserSyncOutcome> {
    const { accountId, walletId } = await this.ensureWallet(contact.id, contact.walletId);
    const linked = await this.links.tryLink(user.id, { crmContactId: contact.id, crmAccountId: accountId, crmWalletId: walletId, matchedBy }, null);
    if (!linked.ok) {
      // Another user's flow linked this contact between our check and our write (different user locks).
      return this.recordConflict(user.id, {
        kind: 'CONFLICT',
        conflictKind: 'CONTACT_LINKED_ELSEWHERE',
        candidateContactIds: [contact.id],
        reason: 'the matching contact is already linked to another Pepper user',
        details: { linkedPepperUserId: linked.linkedPepperUserId, matchedBy },
      });
    }
    const link = linked.link;
    await this.afterLinked(user.id, actor, `linked to contact ${contact.id} (${matchedBy})`, { crmContactId: contact.id, crmWalletId: walletId, created: false });
    logEvent(this.logger, 'user_linked', { pepperUserId: user.id, crmContactId: contact.id, matchedBy });
    const updated = await this.updateProfile(link, user);
    return { result: 'LINKED', link: updated.link };
  }

  private async createAndLink(user: PepperUser, actor: string | null): Promise<UserSyncOutcome> {
    const identity = identityOf(user, this.config.phoneDefaultRegion);
    const profile = contactProfileOf(user, identity);
    const createdId = await this.writes.write({
      idempotencyKey: this.contactKey(user.id),
      target: 'crmcom',
      kind: 'CONTACT_CREATE',
      pepperUserId: user.id,
      request: { code: user.id },
      send: () => this.crm.createContact({ ...profile, code: user.id }),
      readBack: async () => (await this.crm.findContacts({ code: user.id }))[0]?.id ?? null,
      meansAlreadyExists: (error) => error instanceof CrmComError && error.crmException === ALREADY_EXISTS,
    });
    const contactId = requireUpstreamId(createdId, `the contact of ${user.id} (code ${user.id})`);
    const { accountId, walletId } = await this.ensureWallet(contactId, null);
    const link = await this.links.link(
      user.id,
      { crmContactId: contactId, crmAccountId: accountId, crmWalletId: walletId, matchedBy: 'CREATED' },
      profileFingerprint(profile),
    );
    await this.afterLinked(user.id, actor, `new contact ${contactId} created`, { crmContactId: contactId, crmWalletId: walletId, created: true });
    logEvent(this.logger, 'contact_created', { pepperUserId: user.id, crmContactId: contactId });
    return { result: 'CREATED', link };
  }

  private contactKey(pepperUserId: string): string {
    return formatKey({ kind: 'contact', applicationId: this.config.pepper.applicationId, pepperUserId });
  }

  private async afterLinked(
    pepperUserId: string,
    actor: string | null,
    resolution: string,
    linked: Omit<LinkedEvent, 'pepperUserId'>,
  ): Promise<void> {
    await this.conflicts.resolveOpenMatchingConflicts(pepperUserId, resolution, actor ?? 'connector');
    const event: LinkedEvent = { pepperUserId, ...linked };
    await this.emitter.emitAsync(USER_LINKED, event);
    await this.events.requeueWaitingFor(pepperUserId);
  }

  /** The contact's primary account (created when missing) and its wallet, which hangs off the contact. */
  private async ensureWallet(contactId: string, knownWalletId: string | null): Promise<{ accountId: string; walletId: string | null }> {
    const primary = (await this.crm.listAccounts(contactId)).find((a) => a.isPrimary);
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
      }), `the primary account of contact ${contactId}`);
    const walletId = knownWalletId ?? (await this.crm.getContact(contactId)).walletId;
    return { accountId, walletId };
  }

  /** Pushes the Pepper-owned profile; a new email or phone another contact holds is a conflict, not a blind update. */
  private async updateProfile(link: UserLinkEntity, user: PepperUser): Promise<UserSyncOutcome> {
    const contactId = link.crmContactId as string;
    const profile = contactProfileOf(user, identityOf(user, this.config.phoneDefaultRegion));
    const fingerprint = profileFingerprint(profile);
    if (link.profileFingerprint === fingerprint) return { result: 'UNCHANGED', link };

    const current = await this.crm.getContact(contactId);
    const update: CrmContactWrite = { ...profile };
    const taken: Array<{ field: string; contactIds: string[] }> = [];
    // Only a credential the contact does not hold yet can be "taken"; one it already holds is not a change.
    if (profile.email && profile.email !== current.email?.trim().toLowerCase()) {
      const holders = (await this.crm.findContacts({ email: profile.email })).filter((c) => c.id !== contactId);
      if (holders.length) {
        taken.push({ field: 'email', contactIds: holders.map((c) => c.id) });
        delete update.email;
      }
    }
    if (profile.phoneNumber && profile.phoneNumber !== current.phoneNumber) {
      const holders = (await this.crm.findContacts({ phone: profile.phoneNumber })).filter((c) => c.id !== contactId);
      if (holders.length) {
        taken.push({ field: 'phone', contactIds: holders.map((c) => c.id) });
        delete update.phoneNumber;
      }
    }
    await this.crm.updateContact(contactId, update);
    await this.links.setProfileFingerprint(link.pepperUserId, fingerprint);
    link.profileFingerprint = fingerprint;
    for (const field of taken) {
      await this.conflictReporter.report({
        kind: 'CONTACT_FIELD_TAKEN',
        pepperUserId: link.pepperUserId,
        candidateContactIds: field.contactIds,
        details: { reason: `the user's new ${field.field} is held by another contact`, field: field.field, linkedContactId: contactId },
      });
    }
    return { result: 'UPDATED', link, conflictKind: taken.length ? 'CONTACT_FIELD_TAKEN' : undefined };
  }

  private async markDeletedUnlocked(pepperUserId: string): Promise<UserSyncOutcome> {
    const existing = await this.links.findByUser(pepperUserId);
    if (!existing) return { result: 'DELETED', link: null };
    const link = existing.status === 'DELETED' ? existing : await this.links.markDeleted(pepperUserId);
    if (existing.status !== 'DELETED') {
      logEvent(this.logger, 'user_deleted', { pepperUserId, crmContactId: existing.crmContactId, note: 'link marked DELETED; CRM.COM data kept' });
    }
    return { result: 'DELETED', link };
  }
}

/** A write settled as done by an operator, whose record CRM.COM does not show: nothing to link to yet. */
function requireUpstreamId(id: string | null, what: string): string {
  if (id === null) throw new Error(`${what} was settled as created, but CRM.COM does not show it; check it in CRM.COM, then retry`);
  return id;
}

export class ContactTakenError extends Error {
  constructor(readonly contactId: string, readonly pepperUserId: string) {
    super(`contact ${contactId} is already linked to Pepper user ${pepperUserId}`);
  }
}
