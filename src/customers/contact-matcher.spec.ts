import type { CrmContact } from '../crmcom/crmcom.types';
import { ContactDirectory, decideMatch } from './contact-matcher';
import type { UserIdentity } from './identity';

const contact = (id: string, fields: Partial<CrmContact> = {}): CrmContact => ({
  id,
  code: null,
  firstName: null,
  lastName: null,
  email: null,
  phoneNumber: null,
  walletId: null,
  walletBalanceMinor: null,
  emailOptOut: false,
  smsOptOut: false,
  ...fields,
});

/** An in-memory CRM.COM directory: contacts plus the link table's view of who owns which contact. */
function directoryOf(contacts: CrmContact[], owners: Record<string, string> = {}): ContactDirectory {
  return {
    byCode: async (code) => contacts.filter((c) => c.code === code),
    byEmail: async (email) => contacts.filter((c) => c.email === email),
    byPhone: async (phone) => contacts.filter((c) => c.phoneNumber === phone),
    linkedUserOf: async (id) => owners[id] ?? null,
  };
}

const identity = (fields: Partial<UserIdentity>): UserIdentity => ({
  verifiedEmails: [],
  unverifiedEmails: [],
  verifiedPhones: [],
  unverifiedPhones: [],
  unreadablePhones: [],
  ...fields,
});

const EMAIL = 'ann@example.com';
const PHONE = '+447700900123';

describe('decideMatch', () => {
  it('links by code first, even when email points elsewhere', async () => {
    const dir = directoryOf([contact('c-code', { code: 'u1' }), contact('c-mail', { email: EMAIL })]);
    const decision = await decideMatch('u1', identity({ verifiedEmails: [EMAIL] }), dir);
    expect(decision).toMatchObject({ kind: 'LINK', matchedBy: 'CODE', contact: { id: 'c-code' } });
  });

  it('reports several contacts with the same code as ambiguous', async () => {
    const dir = directoryOf([contact('a', { code: 'u1' }), contact('b', { code: 'u1' })]);
    expect(await decideMatch('u1', identity({}), dir)).toMatchObject({ kind: 'CONFLICT', conflictKind: 'AMBIGUOUS_MATCH', candidateContactIds: ['a', 'b'] });
  });

  it('links by verified email', async () => {
    const dir = directoryOf([contact('c1', { email: EMAIL })]);
    expect(await decideMatch('u1', identity({ verifiedEmails: [EMAIL] }), dir)).toMatchObject({ kind: 'LINK', matchedBy: 'EMAIL', contact: { id: 'c1' } });
  });

  it('links by verified phone when no email matches', async () => {
    const dir = directoryOf([contact('c1', { phoneNumber: PHONE })]);
    const decision = await decideMatch('u1', identity({ verifiedEmails: [EMAIL], verifiedPhones: [PHONE] }), dir);
    expect(decision).toMatchObject({ kind: 'LINK', matchedBy: 'PHONE', contact: { id: 'c1' } });
  });

  it('links when email and phone agree on one contact', async () => {
    const dir = directoryOf([contact('c1', { email: EMAIL, phoneNumber: PHONE })]);
    const decision = await decideMatch('u1', identity({ verifiedEmails: [EMAIL], verifiedPhones: [PHONE] }), dir);
    expect(decision).toMatchObject({ kind: 'LINK', matchedBy: 'EMAIL', contact: { id: 'c1' } });
  });

  it('creates when nothing matches', async () => {
    const dir = directoryOf([contact('other', { email: 'x@example.com' })]);
    expect(await decideMatch('u1', identity({ verifiedEmails: [EMAIL], verifiedPhones: [PHONE] }), dir)).toEqual({ kind: 'CREATE' });
  });

  it('reports two contacts sharing the verified email as ambiguous', async () => {
    const dir = directoryOf([contact('a', { email: EMAIL }), contact('b', { email: EMAIL })]);
    expect(await decideMatch('u1', identity({ verifiedEmails: [EMAIL] }), dir)).toMatchObject({
      kind: 'CONFLICT',
      conflictKind: 'AMBIGUOUS_MATCH',
      candidateContactIds: ['a', 'b'],
    });
  });

  it('reports two contacts sharing the verified phone as ambiguous', async () => {
    const dir = directoryOf([contact('a', { phoneNumber: PHONE }), contact('b', { phoneNumber: PHONE })]);
    expect(await decideMatch('u1', identity({ verifiedPhones: [PHONE] }), dir)).toMatchObject({ kind: 'CONFLICT', conflictKind: 'AMBIGUOUS_MATCH' });
  });

  it('reports email and phone pointing at different contacts', async () => {
    const dir = directoryOf([contact('by-mail', { email: EMAIL }), contact('by-phone', { phoneNumber: PHONE })]);
    const decision = await decideMatch('u1', identity({ verifiedEmails: [EMAIL], verifiedPhones: [PHONE] }), dir);
    expect(decision).toMatchObject({ kind: 'CONFLICT', conflictKind: 'EMAIL_PHONE_MISMATCH', candidateContactIds: ['by-mail', 'by-phone'] });
  });

  it('never links on an unverified credential alone', async () => {
    const dir = directoryOf([contact('c1', { email: EMAIL })]);
    expect(await decideMatch('u1', identity({ unverifiedEmails: [EMAIL] }), dir)).toMatchObject({
      kind: 'CONFLICT',
      conflictKind: 'UNVERIFIED_MATCH',
      candidateContactIds: ['c1'],
    });
  });

  it('reports an unverified credential pointing at another contact than the verified match', async () => {
    const dir = directoryOf([contact('verified', { email: EMAIL }), contact('stranger', { phoneNumber: PHONE })]);
    const decision = await decideMatch('u1', identity({ verifiedEmails: [EMAIL], unverifiedPhones: [PHONE] }), dir);
    expect(decision).toMatchObject({ kind: 'CONFLICT', conflictKind: 'UNVERIFIED_MATCH', candidateContactIds: ['verified', 'stranger'] });
  });

  it('links when the unverified credential points at the verified match itself', async () => {
    const dir = directoryOf([contact('c1', { email: EMAIL, phoneNumber: PHONE })]);
    const decision = await decideMatch('u1', identity({ verifiedEmails: [EMAIL], unverifiedPhones: [PHONE] }), dir);
    expect(decision).toMatchObject({ kind: 'LINK', contact: { id: 'c1' } });
  });

  it('reports a match already linked to another user', async () => {
    const dir = directoryOf([contact('c1', { email: EMAIL })], { c1: 'someone-else' });
    expect(await decideMatch('u1', identity({ verifiedEmails: [EMAIL] }), dir)).toMatchObject({
      kind: 'CONFLICT',
      conflictKind: 'CONTACT_LINKED_ELSEWHERE',
      candidateContactIds: ['c1'],
      details: { linkedPepperUserId: 'someone-else' },
    });
  });

  it('links a contact already linked to this same user', async () => {
    const dir = directoryOf([contact('c1', { code: 'u1' })], { c1: 'u1' });
    expect(await decideMatch('u1', identity({}), dir)).toMatchObject({ kind: 'LINK', contact: { id: 'c1' } });
  });
});
