import type { CrmComSimulator } from '../crmcom';
import type { PepperSimulator } from '../pepper/pepper-simulator';

/** What the connector should make of the seeded users, so tests (and the demo summary) can check it. */
export interface DemoExpectations {
  created: string[];
  linkedByEmail: Array<{ pepperUserId: string; crmContactId: string }>;
  linkedByPhone: Array<{ pepperUserId: string; crmContactId: string }>;
  conflicts: Record<'AMBIGUOUS_MATCH' | 'EMAIL_PHONE_MISMATCH' | 'UNVERIFIED_MATCH', string[]>;
  /** pairs of users whose credentials lead to one contact: one links, the other is CONTACT_LINKED_ELSEWHERE */
  contestedPairs: Array<{ userIds: [string, string]; crmContactId: string }>;
  deleted: string[];
  totalUsers: number;
}

export interface DemoMix {
  newUsers: number;
  byEmail: number;
  byPhone: number;
  ambiguous: number;
  mismatch: number;
  unverified: number;
  contestedPairs: number;
  deleted: number;
  unrelatedContacts: number;
}

export const DEFAULT_MIX: DemoMix = {
  newUsers: 200,
  byEmail: 40,
  byPhone: 25,
  ambiguous: 10,
  mismatch: 8,
  unverified: 8,
  contestedPairs: 4,
  deleted: 5,
  unrelatedContacts: 30,
};

const FIRST = ['Ava', 'Ben', 'Chloe', 'Dan', 'Ella', 'Finn', 'Grace', 'Harry', 'Isla', 'Jack', 'Kate', 'Leo', 'Mia', 'Noah', 'Olivia', 'Sam'];
const LAST = ['Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Evans', 'Davies', 'Patel', 'Khan', 'Murphy', 'Walsh'];

/** Seeds both simulators with a mix of users and contacts that exercises every matching rule. */
export function seedDemoData(pepper: PepperSimulator, crm: CrmComSimulator, mix: DemoMix = DEFAULT_MIX): DemoExpectations {
  let n = 0;
  const next = () => {
    n += 1;
    return {
      firstName: FIRST[n % FIRST.length],
      lastName: LAST[(n * 7) % LAST.length],
      email: `customer${String(n).padStart(4, '0')}@demo.example`,
      // UK mobiles in E.164; the connector must also read the local form (07…) written by some users.
      phone: `+447400${String(1_000_000 + n).slice(1)}`,
    };
  };
  const localForm = (e164: string) => `0${e164.slice(3)}`;
  const quiet = { emitAction: false };
  const expected: DemoExpectations = {
    created: [],
    linkedByEmail: [],
    linkedByPhone: [],
    conflicts: { AMBIGUOUS_MATCH: [], EMAIL_PHONE_MISMATCH: [], UNVERIFIED_MATCH: [] },
    contestedPairs: [],
    deleted: [],
    totalUsers: 0,
  };

  for (let i = 0; i < mix.unrelatedContacts; i++) {
    const p = next();
    crm.addContact({ firstName: p.firstName, lastName: p.lastName, email: p.email, phone: p.phone, balance: '5.00' });
  }
  for (let i = 0; i < mix.newUsers; i++) {
    const p = next();
    expected.created.push(pepper.addUser({ ...p, marketing: i % 3 === 0 }, quiet).id);
  }
  for (let i = 0; i < mix.byEmail; i++) {
    const p = next();
    const contact = crm.addContact({ firstName: p.firstName, lastName: p.lastName, email: p.email.toUpperCase(), balance: '10.00' });
    const user = pepper.addUser({ firstName: p.firstName, lastName: p.lastName, email: p.email, phone: next().phone }, quiet);
    expected.linkedByEmail.push({ pepperUserId: user.id, crmContactId: contact.id });
  }
  for (let i = 0; i < mix.byPhone; i++) {
    const p = next();
    const contact = crm.addContact({ firstName: p.firstName, lastName: p.lastName, phone: p.phone, balance: '2.50' });
    const phone = i % 2 === 0 ? localForm(p.phone) : p.phone;
    const user = pepper.addUser({ firstName: p.firstName, lastName: p.lastName, email: next().email, phone }, quiet);
    expected.linkedByPhone.push({ pepperUserId: user.id, crmContactId: contact.id });
  }
  for (let i = 0; i < mix.ambiguous; i++) {
    const p = next();
    crm.addContact({ firstName: p.firstName, lastName: p.lastName, email: p.email });
    crm.addContact({ firstName: p.firstName, lastName: `${p.lastName}-Dup`, email: p.email });
    expected.conflicts.AMBIGUOUS_MATCH.push(pepper.addUser({ ...p, phone: undefined }, quiet).id);
  }
  for (let i = 0; i < mix.mismatch; i++) {
    const p = next();
    crm.addContact({ firstName: p.firstName, lastName: p.lastName, email: p.email });
    crm.addContact({ firstName: 'Other', lastName: p.lastName, phone: p.phone });
    expected.conflicts.EMAIL_PHONE_MISMATCH.push(pepper.addUser(p, quiet).id);
  }
  for (let i = 0; i < mix.unverified; i++) {
    const p = next();
    crm.addContact({ firstName: p.firstName, lastName: p.lastName, email: p.email });
    expected.conflicts.UNVERIFIED_MATCH.push(pepper.addUser({ ...p, phone: undefined, emailVerified: false }, quiet).id);
  }
  for (let i = 0; i < mix.contestedPairs; i++) {
    const p = next();
    const contact = crm.addContact({ firstName: p.firstName, lastName: p.lastName, email: p.email, phone: p.phone });
    // Both hold the contact's phone: whichever is linked first, its profile keeps the phone on the contact, so the other
    // always finds it taken (without it, linking the first would clear the phone and the second would get a new contact).
    const a = pepper.addUser(p, quiet);
    const b = pepper.addUser({ firstName: p.firstName, lastName: p.lastName, email: next().email, phone: p.phone }, quiet);
    expected.contestedPairs.push({ userIds: [a.id, b.id], crmContactId: contact.id });
  }
  for (let i = 0; i < mix.deleted; i++) {
    const user = pepper.addUser(next(), quiet);
    pepper.deleteUser(user.id, quiet);
    expected.deleted.push(user.id);
  }
  expected.totalUsers = pepper.users().length;
  return expected;
}
