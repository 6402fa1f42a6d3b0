import { createHash } from 'node:crypto';
import type { CrmContactWrite } from '../crmcom/crmcom.types';
import type { PepperUser } from '../pepper/pepper.types';
import type { UserIdentity } from './identity';

/**
 * The contact fields Pepper owns. Only verified credentials are written: an unverified email on a contact
 * would later let whoever typed it match into that contact's wallet.
 */
export function contactProfileOf(user: PepperUser, identity: UserIdentity): CrmContactWrite {
  const optedOut = !user.hasAgreedToReceiveMarketing;
  return {
    firstName: user.firstName,
    lastName: user.lastName,
    email: identity.verifiedEmails[0] ?? null,
    phoneNumber: identity.verifiedPhones[0] ?? null,
    emailOptOut: optedOut,
    smsOptOut: optedOut,
  };
}

export function profileFingerprint(profile: CrmContactWrite): string {
  return createHash('sha256').update(JSON.stringify(profile)).digest('hex').slice(0, 32);
}
