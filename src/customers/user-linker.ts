import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { logEvent } from '../common/structured-log';
import { UserLocks } from '../ledger/user-locks';
import { CrmComClient } from '../crmcom/crmcom.client';
import type { CrmContact } from '../crmcom/crmcom.types';
import type { PepperUser } from '../pepper/pepper.types';
import type { MatchedBy, UserLinkEntity } from '../persistence/entities';
import { ConflictStore } from '../persistence/stores/conflict.store';
import { EventStore } from '../persistence/stores/event.store';
import { LinkStore } from '../persistence/stores/link.store';
import { contactProfileOf, profileFingerprint } from './contact-profile';
import { ContactWriter } from './contact-writer';
import { SHADOW_WRITE } from '../ledger/sync-mode';
import { ProfileUpdater } from './profile-updater';
import { ContactTakenError, LinkedEvent, USER_LINKED, UserSyncOutcome } from './user-sync.types';
import { ContactDirectory, decideMatch, MatchDecision } from './contact-matcher';
import { identityOf } from './identity';
import { ConflictReporter } from '../ledger/conflict-reporter';
import { ContactIndex } from './contact-index';

/** Where a user's contact is looked for: CRM.COM's searches, or the seed's contact index (customers/contact-index.ts). */
export type MatchSource = 'direct' | 'index';

/** Keeps one Pepper user linked to one CRM.COM contact (README "Matching"), under that user's lock: the user's flows never interleave. */
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
    private readonly conflictReporter: ConflictReporter,
    private readonly emitter: EventEmitter2,
    private readonly contacts: ContactWriter,
    private readonly profiles: ProfileUpdater,
    private readonly index: ContactIndex,
  ) {}

  private readonly directory: ContactDirectory = {
    byCode: (code) => this.crm.findContacts({ code }),
    byEmail: (email) => this.crm.findContacts({ email }),
    byPhone: (phone) => this.crm.findContacts({ phone }),
    linkedUserOf: async (contactId) => (await this.links.findLinkedByContact(contactId))?.pepperUserId ?? null,
  };

  /**
   * Links, creates, updates or reports a conflict for one user. Deleted users mark their link. The seed matches
   * against its contact index (`source: 'index'`), falling back to direct searches when the index is unavailable.
   */
  syncUser(user: PepperUser, actor: string | null = null, source: MatchSource = 'direct'): Promise<UserSyncOutcome> {
    return this.locks.forUser(user.id, async () => {
      if (user.deleted) return this.markDeletedUnlocked(user.id);
      const link = await this.links.findByUser(user.id);
      if (link?.status === 'LINKED' && link.crmContactId) return this.profiles.update(link, user);
      const identity = identityOf(user, this.config.phoneDefaultRegion);
      const indexed = source === 'index' ? await this.index.directory(this.directory.linkedUserOf, { pepperUserId: user.id, identity }) : null;
      const decision = await decideMatch(user.id, identity, indexed ?? this.directory);
      return this.apply(user, decision, actor, indexed, link);
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

  /** `known`: the user's link as read under the lock (null: none), handed on so it is not read again. */
  private async apply(
    user: PepperUser,
    decision: MatchDecision,
    actor: string | null,
    indexed: ContactDirectory | null,
    known: UserLinkEntity | null,
  ): Promise<UserSyncOutcome> {
    switch (decision.kind) {
      case 'CONFLICT':
        return this.recordConflict(user.id, decision);
      case 'LINK':
        // The contact holding the user's code is one we sent (its answer lost): settle that write, link it as created.
        if (decision.matchedBy === 'CODE' && (await this.contacts.attempted(user.id))) return this.createAndLink(user, actor, false, known);
        return this.linkExisting(user, decision.contact, decision.matchedBy, actor, indexed, known);
      case 'CREATE':
        return this.createAndLink(user, actor, indexed !== null, known);
    }
  }

  private async recordConflict(
    pepperUserId: string,
    decision: Extract<MatchDecision, { kind: 'CONFLICT' }>,
  ): Promise<UserSyncOutcome> {
    // The link row first: a user without one has no matching conflict to settle when they link (afterLinked).
    const link = await this.links.markConflict(pepperUserId);
    await this.conflictReporter.report({
      kind: decision.conflictKind,
      pepperUserId,
      candidateContactIds: decision.candidateContactIds,
      details: { reason: decision.reason, ...decision.details },
    });
    return { result: 'CONFLICT', link, conflictKind: decision.conflictKind };
  }

  private async linkExisting(
    user: PepperUser,
    contact: CrmContact,
    matchedBy: MatchedBy,
    actor: string | null,
    indexed: ContactDirectory | null = null,
    known?: UserLinkEntity | null,
  ): Promise<UserSyncOutcome> {
    const { accountId, walletId } = await this.contacts.ensureWallet(contact.id, contact.walletId);
    const target = { crmContactId: contact.id, crmAccountId: accountId, crmWalletId: walletId, matchedBy };
    const linked = await this.links.tryLink(user.id, target, null, known);
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
    await this.afterLinked(user.id, actor, `linked to contact ${contact.id} (${matchedBy})`, { crmContactId: contact.id, crmWalletId: walletId, created: false, matchedInIndex: indexed !== null }, known);
    logEvent(this.logger, 'user_linked', { pepperUserId: user.id, crmContactId: contact.id, matchedBy });
    // The contact as just matched is the profile's starting point: no second read of it.
    const updated = await this.profiles.update(link, user, { current: contact, holders: indexed ?? undefined });
    return { result: 'LINKED', link: updated.link };
  }

  /** `viaIndex`: the seed's index brings the new contact's wallet id with its next refresh, so it is not read here. */
  private async createAndLink(user: PepperUser, actor: string | null, viaIndex = false, known?: UserLinkEntity | null): Promise<UserSyncOutcome> {
    const profile = contactProfileOf(user, identityOf(user, this.config.phoneDefaultRegion));
    const contactId = await this.contacts.create(user, profile);
    if (contactId === SHADOW_WRITE) {
      // Rehearsal: the contact would be created; nothing to link to.
      logEvent(this.logger, 'shadow_contact_create', { pepperUserId: user.id });
      return { result: 'CREATED', link: null };
    }
    if (viaIndex) await this.index.recordCreated(user.id, contactId, profile);
    const { accountId, walletId } = await this.contacts.ensureWallet(contactId, null, { created: true, readWallet: !viaIndex });
    const link = await this.links.link(
      user.id,
      { crmContactId: contactId, crmAccountId: accountId, crmWalletId: walletId, matchedBy: 'CREATED' },
      profileFingerprint(profile),
      known,
    );
    await this.afterLinked(user.id, actor, `new contact ${contactId} created`, { crmContactId: contactId, crmWalletId: walletId, created: true }, known);
    logEvent(this.logger, 'contact_created', { pepperUserId: user.id, crmContactId: contactId });
    return { result: 'CREATED', link };
  }

  private async afterLinked(
    pepperUserId: string,
    actor: string | null,
    resolution: string,
    linked: Omit<LinkedEvent, 'pepperUserId'>,
    known?: UserLinkEntity | null,
  ): Promise<void> {
    // A matching conflict is reported only after its user's link row is written (recordConflict): a user who had no
    // link row under this lock (`known` null) has none to settle, and the seed's new users skip the query.
    if (known !== null) await this.conflicts.resolveOpenMatchingConflicts(pepperUserId, resolution, actor ?? 'connector');
    const event: LinkedEvent = { pepperUserId, ...linked };
    await this.emitter.emitAsync(USER_LINKED, event);
    await this.events.requeueWaitingFor(pepperUserId);
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
