import type { CredentialProvider, PepperCredential, PepperUser, UserInput, UserPatch } from './pepper-types';

export type StoredUser = PepperUser & { credentials: PepperCredential[] };

export function createUser(
  id: string,
  tenantId: string,
  input: UserInput,
  at: string,
  newCredentialId: () => string,
): StoredUser {
  const firstName = input.firstName ?? '';
  const lastName = input.lastName ?? '';
  const user: StoredUser = {
    id,
    tenantId,
    firstName,
    lastName,
    fullName: fullNameOf(firstName, lastName),
    state: 'ACTIVE',
    isGuest: false,
    roles: ['USER'],
    hasAgreedToShareData: true,
    hasAgreedToReceiveMarketing: input.marketing ?? false,
    created: at,
    updatedAt: at,
    deleted: false,
    credentials: [],
  };
  setCredential(user, 'EMAIL', input.email, input.emailVerified, newCredentialId);
  setCredential(user, 'MOBILE', input.phone, input.phoneVerified, newCredentialId);
  return user;
}

export function patchUser(user: StoredUser, patch: UserPatch, at: string, newCredentialId: () => string): void {
  if (patch.firstName !== undefined) user.firstName = patch.firstName;
  if (patch.lastName !== undefined) user.lastName = patch.lastName;
  user.fullName = fullNameOf(user.firstName, user.lastName);
  if (patch.marketing !== undefined) user.hasAgreedToReceiveMarketing = patch.marketing;
  setCredential(user, 'EMAIL', patch.email, patch.emailVerified, newCredentialId);
  setCredential(user, 'MOBILE', patch.phone, patch.phoneVerified, newCredentialId);
  user.updatedAt = at;
}

/** What Pepper keeps of a deleted user: the id and the flag. */
export function redactUser(user: StoredUser, at: string): void {
  user.firstName = '';
  user.lastName = '';
  user.fullName = '';
  user.hasAgreedToReceiveMarketing = false;
  user.credentials = [];
  user.deleted = true;
  user.updatedAt = at;
}

/** A copy as the API serves it: credentials only when asked for. */
export function publicUser(user: StoredUser, includeCredentials: boolean): PepperUser {
  const { credentials, ...rest } = structuredClone(user);
  return includeCredentials ? { ...rest, credentials } : rest;
}

function fullNameOf(firstName: string, lastName: string): string {
  return `${firstName} ${lastName}`.trim();
}

/** undefined leaves the credential alone (but may change its verification); null or '' removes it. */
function setCredential(
  user: StoredUser,
  provider: CredentialProvider,
  value: string | null | undefined,
  verified: boolean | undefined,
  newCredentialId: () => string,
): void {
  const existing = user.credentials.find((c) => c.provider === provider);
  if (value === undefined || (existing && existing.id === value)) {
    if (existing && verified !== undefined) existing.isVerified = verified;
    return;
  }
  user.credentials = user.credentials.filter((c) => c.provider !== provider);
  if (value !== null && value !== '') {
    user.credentials.push({ _id: newCredentialId(), id: value, provider, isVerified: verified ?? true, isPrimary: false });
  }
  user.credentials.sort((a, b) => (a.provider === b.provider ? 0 : a.provider === 'EMAIL' ? -1 : 1));
  const primary = user.credentials[0];
  for (const credential of user.credentials) credential.isPrimary = credential === primary;
}
