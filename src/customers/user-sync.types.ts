import type { ConflictKind, UserLinkEntity } from '../persistence/entities';

export type UserSyncResult = 'CREATED' | 'LINKED' | 'UPDATED' | 'UNCHANGED' | 'CONFLICT' | 'DELETED';

export interface UserSyncOutcome {
  result: UserSyncResult;
  link: UserLinkEntity | null;
  conflictKind?: ConflictKind;
}

/**
 * Published (awaited, under the user's lock) whenever a user gets linked: the loyalty flows read the opening balances
 * then. Customers never depend on loyalty; a listener that fails is caught up by the loyalty link repair.
 */
export const USER_LINKED = 'customers.user-linked';

/** Emitted (and awaited) by a users seed once it has started and set the feeds' cursors, before its first user. */
export const USERS_SEED_STARTED = 'customers.users-seed-started';
export interface UsersSeedStartedEvent {
  startedAt: string;
}

export interface LinkedEvent {
  pepperUserId: string;
  crmContactId: string;
  crmWalletId: string | null;
  /** the connector created the contact (rather than matching an existing one) */
  created: boolean;
  /** matched in the seed's contact index, whose listed wallet balance may stand in for a wallet read */
  matchedInIndex?: boolean;
}

export class ContactTakenError extends Error {
  constructor(readonly contactId: string, readonly pepperUserId: string) {
    super(`contact ${contactId} is already linked to Pepper user ${pepperUserId}`);
  }
}
