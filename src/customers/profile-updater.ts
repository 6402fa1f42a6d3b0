import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { CrmComClient } from '../crmcom/crmcom.client';
import type { CrmContact, CrmContactWrite } from '../crmcom/crmcom.types';
import type { ContactDirectory } from './contact-matcher';
import { ConflictReporter } from '../ledger/conflict-reporter';
import type { PepperUser } from '../pepper/pepper.types';
import type { UserLinkEntity } from '../persistence/entities';
import { LinkStore } from '../persistence/stores/link.store';
import { contactProfileOf, profileFingerprint } from './contact-profile';
import { identityOf } from './identity';
import { formatKey } from '../ledger/keys';
import { SyncMode } from '../ledger/sync-mode';
import { WriteLog } from '../persistence/stores/write-log.store';
import type { UserSyncOutcome } from './user-sync.types';

/** Pepper owns the profile: a linked user's names, credentials and consent follow to the contact, one way. */
@Injectable()
export class ProfileUpdater {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly crm: CrmComClient,
    private readonly links: LinkStore,
    private readonly conflictReporter: ConflictReporter,
    private readonly writeLog: WriteLog,
    private readonly mode: SyncMode,
  ) {}

  /**
   * Pushes the Pepper-owned profile; a new email or phone another contact holds is a conflict, not a blind update.
   * `current`: the contact as just read (no second read); `holders`: where to look for other holders (the seed's index).
   */
  async update(link: UserLinkEntity, user: PepperUser, known: { current?: CrmContact; holders?: ContactDirectory } = {}): Promise<UserSyncOutcome> {
    const contactId = link.crmContactId as string;
    const profile = contactProfileOf(user, identityOf(user, this.config.phoneDefaultRegion));
    const fingerprint = profileFingerprint(profile);
    if (link.profileFingerprint === fingerprint) return { result: 'UNCHANGED', link };

    const current = known.current ?? (await this.crm.getContact(contactId));
    const update: CrmContactWrite = { ...profile };
    const taken: Array<{ field: string; contactIds: string[] }> = [];
    // Only a credential the contact does not hold yet can be "taken"; one it already holds is not a change.
    if (profile.email && profile.email !== current.email?.trim().toLowerCase()) {
      const found = known.holders ? await known.holders.byEmail(profile.email) : await this.crm.findContacts({ email: profile.email });
      const holders = found.filter((c) => c.id !== contactId);
      if (holders.length) {
        taken.push({ field: 'email', contactIds: holders.map((c) => c.id) });
        delete update.email;
      }
    }
    if (profile.phoneNumber && profile.phoneNumber !== current.phoneNumber) {
      const found = known.holders ? await known.holders.byPhone(profile.phoneNumber) : await this.crm.findContacts({ phone: profile.phoneNumber });
      const holders = found.filter((c) => c.id !== contactId);
      if (holders.length) {
        taken.push({ field: 'phone', contactIds: holders.map((c) => c.id) });
        delete update.phoneNumber;
      }
    }
    if (this.mode.isShadow()) {
      // Rehearsal: the update is recorded with the fields it would send, not sent.
      const idempotencyKey = formatKey({ kind: 'profile', applicationId: this.config.pepper.applicationId, pepperUserId: link.pepperUserId, fingerprint });
      if (!(await this.writeLog.hasShadow(idempotencyKey))) {
        await this.writeLog.recordShadow({ idempotencyKey, target: 'crmcom', kind: 'CONTACT_UPDATE', pepperUserId: link.pepperUserId, request: { contactId, fields: Object.keys(update) } });
      }
    } else {
      await this.crm.updateContact(contactId, update);
    }
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
}
