import { TestingModule } from '@nestjs/testing';
import { FakeClock } from '../../test/support/fakes/fake-clock';
import { storeTestingModule } from '../../test/support/store-testing-module';
import type { CrmComClient } from '../crmcom/crmcom.client';
import { CrmComError } from '../crmcom/crmcom.error';
import type { CrmContact } from '../crmcom/crmcom.types';
import { ConflictReporter } from '../ledger/conflict-reporter';
import { ConflictStore } from '../persistence/stores/conflict.store';
import { ContactIndexStore } from '../persistence/stores/contact-index.store';
import { LinkStore } from '../persistence/stores/link.store';
import { ContactIndex } from './contact-index';

type Listed = { contact: CrmContact; createdOn: number | null };

const contact = (id: string, fields: Partial<CrmContact> = {}): CrmContact => ({
  id,
  code: null,
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: null,
  phoneNumber: null,
  walletId: `w-${id}`,
  walletBalanceMinor: null,
  emailOptOut: false,
  smsOptOut: false,
  ...fields,
});

/** CRM.COM's contact list, newest first, in pages of `size`; and one contact read. Counts what it is asked. */
class FakeContactList {
  contacts: Listed[] = [];
  pagesRead = 0;
  contactReads = 0;
  failure: Error | null = null;
  constructor(private readonly size = 2) {}

  add(c: CrmContact, createdOn: number): void {
    this.contacts.push({ contact: c, createdOn });
  }

  async *contactsNewestFirst(): AsyncGenerator<Listed[]> {
    if (this.failure) throw this.failure;
    const sorted = [...this.contacts].reverse().sort((a, b) => (b.createdOn as number) - (a.createdOn as number));
    for (let i = 0; i < sorted.length || i === 0; i += this.size) {
      this.pagesRead += 1;
      yield sorted.slice(i, i + this.size);
      if (i + this.size >= sorted.length) return;
    }
  }

  async getContact(id: string): Promise<CrmContact> {
    this.contactReads += 1;
    const found = this.contacts.find((c) => c.contact.id === id);
    if (!found) throw new Error(`no contact ${id}`);
    return found.contact;
  }
}

describe('ContactIndex', () => {
  let moduleRef: TestingModule;
  let crm: FakeContactList;
  let index: ContactIndex;
  let links: LinkStore;
  let conflicts: ConflictStore;
  const linkedUserOf = async () => null;

  let clock: FakeClock;

  beforeEach(async () => {
    clock = new FakeClock(new Date('2026-03-01T12:00:00Z'));
    moduleRef = await storeTestingModule(clock);
    crm = new FakeContactList();
    links = moduleRef.get(LinkStore);
    conflicts = moduleRef.get(ConflictStore);
    index = new ContactIndex(crm as unknown as CrmComClient, moduleRef.get(ContactIndexStore), links, new ConflictReporter(conflicts), clock);
    index.begin();
  });
  afterEach(() => moduleRef.close());

  it('loads every contact on first use and matches by code, email (any case) and E.164 phone', async () => {
    crm.add(contact('c1', { code: 'u1' }), 100);
    crm.add(contact('c2', { email: 'Ada@Example.com' }), 101);
    crm.add(contact('c3', { phoneNumber: '+447700900123' }), 102);
    expect(index.isLoaded()).toBe(false);

    const directory = await index.directory(linkedUserOf);

    expect(directory).not.toBeNull();
    expect(crm.pagesRead).toBe(2);
    expect((await directory!.byCode('u1')).map((c) => c.id)).toEqual(['c1']);
    expect((await directory!.byEmail(' ada@EXAMPLE.com ')).map((c) => c.id)).toEqual(['c2']);
    expect((await directory!.byPhone('+447700900123')).map((c) => c.id)).toEqual(['c3']);
    expect(await directory!.byEmail('nobody@example.com')).toEqual([]);
    // a second user of the same run does not load again
    await index.directory(linkedUserOf);
    expect(crm.pagesRead).toBe(2);
  });

  it("reads a user's candidates in one query and answers the same as the lookups one key at a time", async () => {
    crm.add(contact('c1', { code: 'u1' }), 100);
    crm.add(contact('c2', { email: 'ada@example.com' }), 101);
    crm.add(contact('c3', { phoneNumber: '+447700900123' }), 102);
    crm.add(contact('c4', { email: 'other@example.com', phoneNumber: '+447700900123' }), 103);
    const store = moduleRef.get(ContactIndexStore);
    const identity = { verifiedEmails: ['ada@example.com'], unverifiedEmails: ['Other@Example.com'], verifiedPhones: ['+447700900123'], unverifiedPhones: [], unreadablePhones: [] };
    const one = await index.directory(linkedUserOf, { pepperUserId: 'u1', identity });
    const singles = [jest.spyOn(store, 'byCode'), jest.spyOn(store, 'byEmail'), jest.spyOn(store, 'byPhone')];
    const ids = async (found: Promise<CrmContact[]>) => (await found).map((c) => c.id).sort();
    expect(await ids(one!.byCode('u1'))).toEqual(['c1']);
    expect(await ids(one!.byEmail(' ADA@example.com'))).toEqual(['c2']);
    expect(await ids(one!.byEmail('other@example.com'))).toEqual(['c4']);
    expect(await ids(one!.byPhone('+447700900123'))).toEqual(['c3', 'c4']);
    expect(singles.map((spy) => spy.mock.calls.length)).toEqual([0, 0, 0]);
    // a key the user does not hold is still answered, on its own
    expect(await ids(one!.byEmail('nobody@example.com'))).toEqual([]);
    expect(await ids(one!.byCode('c-other'))).toEqual([]);
    expect(singles.map((spy) => spy.mock.calls.length)).toEqual([1, 1, 0]);
  });

  it('reads the index afresh at each seed: a contact deleted in CRM.COM since the last one is no longer matched', async () => {
    crm.add(contact('gone', { email: 'gone@example.com' }), 100);
    expect((await (await index.directory(linkedUserOf))!.byEmail('gone@example.com')).map((c) => c.id)).toEqual(['gone']);
    crm.contacts = [];

    index.begin();
    const directory = await index.directory(linkedUserOf);
    expect(await directory!.byEmail('gone@example.com')).toEqual([]);
  });

  it('is unavailable for the run when CRM.COM cannot list newest first, so matching falls back to direct searches', async () => {
    crm.failure = new CrmComError('CRM.COM GET /contacts ignored a filter (sort)', { code: 'FILTER_IGNORED' });

    expect(await index.directory(linkedUserOf)).toBeNull();
    await index.refresh();
    await index.finish();
    expect(crm.pagesRead).toBe(0);
  });

  it('refreshes newest first only back to the newest contact it knew, and reads nothing before the index is needed', async () => {
    for (let i = 0; i < 10; i++) crm.add(contact(`old${i}`), 100 + i);
    await index.refresh();
    expect(crm.pagesRead).toBe(0);

    await index.directory(linkedUserOf);
    const afterLoad = crm.pagesRead;
    crm.add(contact('new1', { email: 'new1@example.com' }), 200);
    crm.add(contact('new2'), 201);
    crm.add(contact('new3'), 202);
    await index.refresh();

    // [new3, new2], [new1, old9], [old8, old7]: old9 shares the newest second known (read again, in case a contact was
    // created in it after the load); old8 is older, so the read stops there, 3 pages of the 6 there are
    expect(crm.pagesRead - afterLoad).toBe(3);
    expect(index.counts()).toMatchObject({ loadedContacts: 10, refreshedContacts: 4, refreshes: 1 });
    expect((await moduleRef.get(ContactIndexStore).byEmail('new1@example.com')).map((c) => c.id)).toEqual(['new1']);
  });

  it('gives a contact the seed created its wallet from the next refresh, or from a direct read at the end', async () => {
    await index.directory(linkedUserOf);
    await links.link('u1', { crmContactId: 'c1', crmAccountId: null, crmWalletId: null, matchedBy: 'CREATED' }, null);
    await links.link('u2', { crmContactId: 'c2', crmAccountId: null, crmWalletId: null, matchedBy: 'CREATED' }, null);
    await index.recordCreated('u1', 'c1', { firstName: 'A', lastName: 'B', email: 'u1@example.com' });
    await index.recordCreated('u2', 'c2', { firstName: 'C', lastName: 'D', email: 'u2@example.com' });
    expect(await links.hasCreatedAwaitingWallet()).toBe(true);

    crm.add(contact('c1', { code: 'u1', email: 'u1@example.com', walletId: 'w-one' }), 300);
    await index.refresh();
    expect((await links.findByUser('u1'))?.crmWalletId).toBe('w-one');
    expect((await links.findByUser('u2'))?.crmWalletId).toBeNull();
    expect(crm.contactReads).toBe(0);

    // c2 is readable directly, though (say) the list has not shown it
    crm.contacts.push({ contact: contact('c2', { walletId: 'w-two' }), createdOn: 1 });
    await index.finish();
    expect((await links.findByUser('u2'))?.crmWalletId).toBe('w-two');
    expect(crm.contactReads).toBe(1);
    expect(await links.hasCreatedAwaitingWallet()).toBe(false);
    expect(await conflicts.list({ status: 'OPEN' }, 10, null)).toMatchObject({ items: [] });
  });

  it('keeps the wallet a refresh listed when our create is recorded after it (the seed refreshes while users are in flight)', async () => {
    await index.directory(linkedUserOf);
    await links.link('u1', { crmContactId: 'c1', crmAccountId: null, crmWalletId: null, matchedBy: 'CREATED' }, null);
    // the POST answered, the next page's refresh listed the contact before this user's flow recorded it
    crm.add(contact('c1', { code: 'u1', email: 'u1@example.com', walletId: 'w-one' }), 300);
    crm.add(contact('later'), 400); // so the last refresh reads back to 400, not to c1 again
    await index.refresh();
    await index.recordCreated('u1', 'c1', { firstName: 'A', lastName: 'B', email: 'u1@example.com' });
    await index.finish();
    expect((await links.findByUser('u1'))?.crmWalletId).toBe('w-one');
    expect(crm.contactReads).toBe(0);
  });

  it('lists a recent contact without its wallet again at the next refresh: a refresh can fall between our contact and its account', async () => {
    crm.add(contact('elsewhere', { walletId: null }), 100); // a contact without an account, created long before: never read again
    await index.directory(linkedUserOf);
    await links.link('u1', { crmContactId: 'c1', crmAccountId: null, crmWalletId: null, matchedBy: 'CREATED' }, null);
    const created = contact('c1', { code: 'u1', email: 'u1@example.com', walletId: null });
    crm.add(created, 300);
    crm.add(contact('later'), 305); // a second later: the newest known is now 305
    await index.refresh();
    await index.recordCreated('u1', 'c1', { firstName: 'A', lastName: 'B', email: 'u1@example.com' });

    created.walletId = 'w-one'; // our primary account is created: the contact has its wallet now
    const before = crm.pagesRead;
    await index.refresh();
    // [later, c1], then [elsewhere], where the read stops: back to c1 (ours, listed without its wallet), not further
    expect(crm.pagesRead - before).toBe(2);
    expect(index.counts()).toMatchObject({ refreshedContacts: 3 + 2 });
    expect((await links.findByUser('u1'))?.crmWalletId).toBe('w-one');
    await index.finish();
    expect(crm.contactReads).toBe(0);
  });

  it('opens DUPLICATE_CONTACT when another contact with the same email or phone appeared around our create', async () => {
    await index.directory(linkedUserOf);
    await links.link('u1', { crmContactId: 'c1', crmAccountId: null, crmWalletId: null, matchedBy: 'CREATED' }, null);
    await index.recordCreated('u1', 'c1', { firstName: 'A', lastName: 'B', email: 'u1@example.com', phoneNumber: '+447700900001' });
    crm.add(contact('till', { phoneNumber: '+447700900001' }), 400);
    crm.add(contact('c1', { code: 'u1', email: 'u1@example.com', phoneNumber: '+447700900001' }), 401);

    await index.refresh();

    const open = (await conflicts.list({ status: 'OPEN' }, 10, null)).items;
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ kind: 'DUPLICATE_CONTACT', pepperUserId: 'u1' });
    expect([...open[0].candidateContactIds].sort()).toEqual(['c1', 'till']);
    expect(index.counts().duplicates).toBe(1);
  });

  it("checks a page's created contacts for duplicates in one query, each against its own email and phone", async () => {
    await index.directory(linkedUserOf);
    const created = [
      { user: 'u1', id: 'c1', email: 'One@Example.com', phoneNumber: '+447700900001' },
      { user: 'u2', id: 'c2', email: 'two@example.com', phoneNumber: '+447700900002' },
      { user: 'u3', id: 'c3', email: null, phoneNumber: '+447700900003' },
    ];
    for (const c of created) {
      await links.link(c.user, { crmContactId: c.id, crmAccountId: null, crmWalletId: null, matchedBy: 'CREATED' }, null);
      await index.recordCreated(c.user, c.id, { firstName: 'A', lastName: 'B', email: c.email ?? undefined, phoneNumber: c.phoneNumber });
      crm.add(contact(c.id, { code: c.user, email: c.email, phoneNumber: c.phoneNumber }), 400);
    }
    // made elsewhere meanwhile: one holds u1's email (any case), one u3's phone; u2's are its own
    crm.add(contact('till-email', { email: 'one@example.COM' }), 401);
    crm.add(contact('till-phone', { phoneNumber: '+447700900003' }), 402);
    const candidates = jest.spyOn(moduleRef.get(ContactIndexStore), 'candidates');

    await index.refresh();

    expect(candidates).toHaveBeenCalledTimes(1);
    const open = (await conflicts.list({ status: 'OPEN' }, 10, null)).items;
    const byUser = new Map(open.map((c) => [c.pepperUserId, [...c.candidateContactIds].sort()]));
    expect(byUser).toEqual(new Map([['u1', ['c1', 'till-email']], ['u3', ['c3', 'till-phone']]]));
    expect(index.counts().duplicates).toBe(2);
  });

  it("keeps each listed wallet balance dated by its page's read, until a journal of that contact or wallet comes in", async () => {
    crm.add(contact('c1', { walletBalanceMinor: 1250 }), 100);
    crm.add(contact('c2', { walletBalanceMinor: 0 }), 101);
    crm.add(contact('c3', { walletBalanceMinor: null }), 102);
    const loadedAt = clock.now();
    await index.directory(linkedUserOf);
    const store = moduleRef.get(ContactIndexStore);

    expect(await store.listedWalletBalance('c1')).toEqual({ walletId: 'w-c1', balanceMinor: 1250, readAt: loadedAt });
    expect(await store.listedWalletBalance('c2')).toEqual({ walletId: 'w-c2', balanceMinor: 0, readAt: loadedAt });
    // shown without a balance: none to use (the wallet is read instead)
    expect(await store.listedWalletBalance('c3')).toBeNull();

    await store.forgetWalletBalance({ contactId: null, walletId: 'w-c1' });
    await store.forgetWalletBalance({ contactId: 'c2', walletId: null });
    expect(await store.listedWalletBalance('c1')).toBeNull();
    expect(await store.listedWalletBalance('c2')).toBeNull();

    // a refresh that lists a contact again brings a balance as of its own read
    clock.advance(60_000);
    crm.add(contact('c4', { walletBalanceMinor: 500 }), 103);
    await index.refresh();
    expect(await store.listedWalletBalance('c4')).toEqual({ walletId: 'w-c4', balanceMinor: 500, readAt: clock.now() });
  });
});
