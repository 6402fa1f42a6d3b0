/**
 * The bench's population: N Pepper users (82 % new, 9 % matching an existing contact by email, 9 % by phone; every 5th
 * with Pepper points; matched contacts hold wallet money) plus N/10 contacts of the merchant's other customers.
 * A bench user is known by its index i: Pepper id `usr<7 digits of i>`, email `user<i>@bench.example`, phone
 * `+4479<8 digits of i>`.
 */
import type { CrmComSimulator } from '../packages/simulators/src/crmcom';
import type { PepperSimulator } from '../packages/simulators/src/pepper/pepper-simulator';

export const WALLET_PERK = 'perk-wallet';

export type Kind = 'new' | 'email-match' | 'phone-match';

/** The kinds the calls are attributed to: new users split by whether they hold Pepper points. */
export type UserKind = 'new-with-points' | 'new-without-points' | 'email-match' | 'phone-match';
export const USER_KINDS: readonly UserKind[] = ['new-with-points', 'new-without-points', 'email-match', 'phone-match'];
export const KIND_LABELS: Record<UserKind, string> = {
  'new-with-points': 'new, with Pepper points',
  'new-without-points': 'new, no points',
  'email-match': 'matched by email',
  'phone-match': 'matched by phone',
};

export interface Population {
  newUsers: number;
  emailMatches: number;
  phoneMatches: number;
  withPoints: number;
  otherContacts: number;
  byKind: Record<UserKind, number>;
}

export const userId = (i: number): string => `usr${String(i).padStart(7, '0')}`;
export const emailOf = (i: number): string => `user${i}@bench.example`;
export const phoneOf = (i: number): string => `+4479${String(i).padStart(8, '0')}`;
export const kindOf = (i: number): Kind => (i % 100 < 82 ? 'new' : i % 100 < 91 ? 'email-match' : 'phone-match');
export const hasPoints = (i: number): boolean => i % 5 === 0;
export const userKindOf = (i: number): UserKind => {
  const kind = kindOf(i);
  if (kind !== 'new') return kind;
  return hasPoints(i) ? 'new-with-points' : 'new-without-points';
};

/** 82 % new, 9 % match a contact by email, 9 % by phone; every 5th user has Pepper points; matched contacts hold money. */
export function seedPopulation(pepper: PepperSimulator, crm: CrmComSimulator, n: number): Population {
  const past = new Date(Date.now() - 24 * 3600 * 1000);
  const byKind: Record<UserKind, number> = { 'new-with-points': 0, 'new-without-points': 0, 'email-match': 0, 'phone-match': 0 };
  const population: Population = { newUsers: 0, emailMatches: 0, phoneMatches: 0, withPoints: 0, otherContacts: 0, byKind };
  pepper.addPerk({ id: WALLET_PERK, title: 'Wallet', template: 'PSEUDO_CURRENCY' });
  for (let i = 0; i < n; i++) {
    const id = userId(i);
    const email = emailOf(i);
    const phone = phoneOf(i);
    pepper.addUser({ id, firstName: `First${i}`, lastName: `Last${i}`, email, phone }, { emitAction: false, at: past });
    const kind = kindOf(i);
    byKind[userKindOf(i)]++;
    if (kind === 'new') population.newUsers++;
    if (kind === 'email-match') {
      crm.addContact({ firstName: `First${i}`, lastName: `Last${i}`, email, balance: `${(i % 7) + 1}.50`, postedAt: past });
      population.emailMatches++;
    }
    if (kind === 'phone-match') {
      crm.addContact({ firstName: `First${i}`, lastName: `Last${i}`, phone, balance: `${(i % 5) + 1}.00`, postedAt: past });
      population.phoneMatches++;
    }
    if (hasPoints(i)) {
      pepper.grantAward(id, WALLET_PERK, 100 + (i % 9) * 25, { at: past });
      population.withPoints++;
    }
  }
  // Contacts of the merchant's other customers (tills, other channels): they match no Pepper user.
  for (let j = 0; j < Math.ceil(n / 10); j++) {
    crm.addContact({ firstName: 'Till', lastName: `Customer${j}`, email: `till${j}@shop.example`, postedAt: past });
    population.otherContacts++;
  }
  return population;
}

/** Counts only (no simulator): what `seedPopulation` would seed for n users. */
export function populationOf(n: number): Population {
  const byKind: Record<UserKind, number> = { 'new-with-points': 0, 'new-without-points': 0, 'email-match': 0, 'phone-match': 0 };
  const population: Population = { newUsers: 0, emailMatches: 0, phoneMatches: 0, withPoints: 0, otherContacts: Math.ceil(n / 10), byKind };
  for (let i = 0; i < n; i++) {
    byKind[userKindOf(i)]++;
    const kind = kindOf(i);
    if (kind === 'new') population.newUsers++;
    if (kind === 'email-match') population.emailMatches++;
    if (kind === 'phone-match') population.phoneMatches++;
    if (hasPoints(i)) population.withPoints++;
  }
  return population;
}

// ---------------------------------------------------------------- recognising a bench user in what the connector sends

/** The bench user a Pepper user id (`usr0000123`, anywhere in the text) names; null when none or not of this run. */
export function indexFromUserId(text: string, n: number): number | null {
  const match = /usr(\d{7})(?!\d)/.exec(text);
  if (!match) return null;
  const i = Number(match[1]);
  return i < n ? i : null;
}

export function indexFromEmail(text: string, n: number): number | null {
  const match = /^\s*user(\d+)@bench\.example\s*$/i.exec(text);
  if (!match) return null;
  const i = Number(match[1]);
  return i < n ? i : null;
}

/** A phone in any form (E.164, national `07…`, digits only): bench phones are told apart by their trailing 8 digits. */
export function indexFromPhone(text: string, n: number): number | null {
  const digits = text.replace(/\D/g, '');
  if (digits.length < 10 || !/79\d{8}$/.test(digits)) return null;
  const i = Number(digits.slice(-8));
  return i < n ? i : null;
}
