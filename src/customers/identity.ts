import { toE164 } from '../common/phone';
import type { PepperUser } from '../pepper/pepper.types';

export interface UserIdentity {
  verifiedEmails: string[];
  unverifiedEmails: string[];
  verifiedPhones: string[];
  unverifiedPhones: string[];
  /** phone credentials no library could read as a number; never used to match */
  unreadablePhones: string[];
}

export function normaliseEmail(value: string): string | null {
  const email = value.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+$/.test(email) ? email : null;
}

/** E.164, or null when the number cannot be read in the default region. */
export function normalisePhone(value: string, defaultRegion: string): string | null {
  return toE164(value, defaultRegion);
}

const unique = (values: string[]): string[] => [...new Set(values)];

/** The credentials of a user, normalised and split by verification; primary credentials first. */
export function identityOf(user: PepperUser, defaultRegion: string): UserIdentity {
  const identity: UserIdentity = {
    verifiedEmails: [],
    unverifiedEmails: [],
    verifiedPhones: [],
    unverifiedPhones: [],
    unreadablePhones: [],
  };
  const ordered = [...user.credentials].sort((a, b) => Number(b.isPrimary) - Number(a.isPrimary));
  for (const credential of ordered) {
    if (credential.provider === 'EMAIL') {
      const email = normaliseEmail(credential.id);
      if (email) (credential.isVerified ? identity.verifiedEmails : identity.unverifiedEmails).push(email);
    } else if (credential.provider === 'MOBILE') {
      const phone = normalisePhone(credential.id, defaultRegion);
      if (!phone) identity.unreadablePhones.push(credential.id);
      else (credential.isVerified ? identity.verifiedPhones : identity.unverifiedPhones).push(phone);
    }
  }
  return {
    verifiedEmails: unique(identity.verifiedEmails),
    unverifiedEmails: unique(identity.unverifiedEmails).filter((e) => !identity.verifiedEmails.includes(e)),
    verifiedPhones: unique(identity.verifiedPhones),
    unverifiedPhones: unique(identity.unverifiedPhones).filter((p) => !identity.verifiedPhones.includes(p)),
    unreadablePhones: identity.unreadablePhones,
  };
}
