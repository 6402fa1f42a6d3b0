import { LinkStore } from '../src/persistence/stores/link.store';
import { SyncJobs } from '../src/sync/sync-jobs';
import { addUsers, settleUntilClean, SkewClock, startChaosHarness } from './support/chaos/chaos-harness';
import { inboundEvents, writeDb } from './support/chaos/db';
import { Harness, startHarness, waitFor } from './support/harness';
import { balanceMismatches, LOYALTY_ENV, pepperPoints, settle, WALLET_PERK } from './support/loyalty';

// The seed matches against a local contact index (README "Performance"): a page of CRM.COM's contacts replaces three
// searches per user, and a new contact costs its create and its primary account only.

interface LinkView {
  pepperUserId: string;
  crmContactId: string | null;
  crmWalletId: string | null;
  status: string;
  matchedBy: string | null;
}
interface ConflictView {
  kind: string;
  pepperUserId: string;
  candidateContactIds: string[];
  status: string;
}

const NEW_USERS = 30;
const EMAIL_MATCHES = 5;
const PHONE_MATCHES = 5;
const phoneOf = (i: number): string => `+4479${String(i).padStart(8, '0')}`;

async function links(h: Harness): Promise<LinkView[]> {
  return (await h.admin.get('/admin/links?limit=200').expect(200)).body.items as LinkView[];
}

async function conflicts(h: Harness): Promise<ConflictView[]> {
  return (await h.admin.get('/admin/conflicts?status=open&limit=200').expect(200)).body.items as ConflictView[];
}

const isSearch = (r: { method: string; path: string; query: Record<string, unknown> }): boolean =>
  r.method === 'GET' && r.path === '/contacts' && ['code', 'email_address', 'phone_number'].some((name) => name in r.query);

describe('the seed matches against the contact index (e2e)', () => {
  describe('a seed of new and matching users', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({
        env: { PEPPER_PAGE_SIZE: '10' },
        seed: (pepper, crm) => {
          for (let i = 0; i < NEW_USERS + EMAIL_MATCHES + PHONE_MATCHES; i++) {
            pepper.addUser({ id: `u${i}`, firstName: `F${i}`, lastName: `L${i}`, email: `u${i}@example.com`, phone: phoneOf(i) }, { emitAction: false });
          }
          for (let i = NEW_USERS; i < NEW_USERS + EMAIL_MATCHES; i++) crm.addContact({ firstName: `F${i}`, lastName: `L${i}`, email: `U${i}@Example.com`, balance: '2.00' });
          for (let i = NEW_USERS + EMAIL_MATCHES; i < NEW_USERS + EMAIL_MATCHES + PHONE_MATCHES; i++) crm.addContact({ firstName: `F${i}`, lastName: `L${i}`, phone: phoneOf(i) });
          // the merchant's other customers: never matched
          for (let j = 0; j < 15; j++) crm.addContact({ firstName: 'Till', lastName: `C${j}`, email: `till${j}@shop.example` });
        },
      });
      await h.idle();
    });
    afterAll(() => h.close());

    it('links every user as before: new ones created, the others by email and phone', async () => {
      const byUser = new Map((await links(h)).map((l) => [l.pepperUserId, l]));
      for (let i = 0; i < NEW_USERS; i++) expect(byUser.get(`u${i}`)).toMatchObject({ status: 'LINKED', matchedBy: 'CREATED' });
      for (let i = NEW_USERS; i < NEW_USERS + EMAIL_MATCHES; i++) expect(byUser.get(`u${i}`)).toMatchObject({ status: 'LINKED', matchedBy: 'EMAIL' });
      for (let i = NEW_USERS + EMAIL_MATCHES; i < NEW_USERS + EMAIL_MATCHES + PHONE_MATCHES; i++) {
        expect(byUser.get(`u${i}`)).toMatchObject({ status: 'LINKED', matchedBy: 'PHONE' });
      }
      expect(await conflicts(h)).toEqual([]);
    });

    it('makes no contact search, no account read and no contact read: a new user costs its create and its account', () => {
      const requests = h.crm.requests;
      expect(requests.filter(isSearch)).toEqual([]);
      expect(requests.filter((r) => r.method === 'GET' && /^\/contacts\/[^/]+$/.test(r.path))).toEqual([]);
      expect(requests.filter((r) => r.method === 'GET' && /^\/contacts\/[^/]+\/accounts$/.test(r.path))).toEqual([]);
      expect(requests.filter((r) => r.method === 'POST' && r.path === '/contacts')).toHaveLength(NEW_USERS);
      expect(requests.filter((r) => r.method === 'POST' && /^\/contacts\/[^/]+\/accounts$/.test(r.path))).toHaveLength(NEW_USERS);
      // one load, and one newest-first refresh per page of users plus the last: a handful for 40 users
      const listPages = requests.filter((r) => r.method === 'GET' && r.path === '/contacts' && !isSearch(r));
      expect(listPages.length).toBeGreaterThanOrEqual(1);
      expect(listPages.length).toBeLessThanOrEqual(8);
      for (const page of listPages) expect(page.query).toMatchObject({ sort: 'CREATED_DATE', order: 'DESC', include_wallet: 'true' });
    });

    it('gives every created contact its wallet id from the refresh, as CRM.COM holds it', async () => {
      for (const link of (await links(h)).filter((l) => l.status === 'LINKED')) {
        expect(link.crmWalletId).toBe(h.crm.getContact(link.crmContactId as string)?.walletId);
        expect(link.crmWalletId).toBeTruthy();
      }
    });

    it('a resync of unchanged users makes no CRM.COM call: the index is read only for a user that needs matching', async () => {
      const before = h.crm.requests.length;
      await (await h.app.get(SyncJobs).startUsersSeed('ADMIN')).done;
      expect(h.crm.requests.slice(before)).toEqual([]);
    });

    it('matches a user after the seed with direct searches (one user: no index)', async () => {
      const before = h.crm.requests.length;
      h.pepper.addUser({ id: 'late', firstName: 'Late', lastName: 'Comer', email: 'late@example.com' });
      const res = await h.admin.post('/admin/resync/users/late');
      expect(res.status).toBeLessThan(300);
      await waitFor(async () => expect((await links(h)).find((l) => l.pepperUserId === 'late')).toMatchObject({ status: 'LINKED', matchedBy: 'CREATED' }));
      expect(h.crm.requests.slice(before).filter(isSearch).length).toBeGreaterThanOrEqual(1);
    });
  });

  describe('a contact created elsewhere between a refresh and our create', () => {
    let h: Harness;
    afterAll(() => h?.close());

    it('opens a DUPLICATE_CONTACT conflict naming both contacts, and keeps the link it made', async () => {
      h = await startHarness({
        seed: (pepper, crm) => {
          pepper.addUser({ id: 'known', firstName: 'Kim', lastName: 'Known', email: 'known@example.com' }, { emitAction: false });
          pepper.addUser({ id: 'fresh', firstName: 'Fay', lastName: 'Fresh', email: 'fay@example.com' }, { emitAction: false });
          crm.addContact({ firstName: 'Kim', lastName: 'Known', email: 'known@example.com' });
          // the only create is fresh's: it is held long enough for a till to register the same customer meanwhile
          crm.faults.add({ method: 'POST', path: /^\/contacts$/, fault: { kind: 'delay', ms: 1000 }, times: 1 });
        },
        // the index is read before the create is sent; the till's contact is created while the create is held
        env: { PEPPER_PAGE_SIZE: '10' },
      });
      // The seed runs at start-up: by now the create may be held or done; a till contact is added while it is held.
      await waitFor(() => expect(h.crm.requests.some((r) => r.method === 'POST' && r.path === '/contacts')).toBe(true));
      const till = h.crm.addContact({ firstName: 'Fay', lastName: 'Fresh', email: 'fay@example.com' });
      await h.idle();

      const fresh = (await links(h)).find((l) => l.pepperUserId === 'fresh') as LinkView;
      expect(fresh).toMatchObject({ status: 'LINKED', matchedBy: 'CREATED' });
      expect(fresh.crmContactId).not.toBe(till.id);
      const duplicate = (await conflicts(h)).find((c) => c.pepperUserId === 'fresh');
      expect(duplicate).toMatchObject({ kind: 'DUPLICATE_CONTACT', status: 'OPEN' });
      expect([...(duplicate as ConflictView).candidateContactIds].sort()).toEqual([fresh.crmContactId, till.id].sort());
    });
  });
});

describe('a CRM.COM whose contact list has no created_date (e2e)', () => {
  it('matches every user with direct searches instead, with the same links', async () => {
    const h = await startHarness({
      crm: { variants: { contactsWithoutCreatedDate: true } },
      seed: (pepper, crm) => {
        pepper.addUser({ id: 'n1', firstName: 'New', lastName: 'One', email: 'n1@example.com' }, { emitAction: false });
        pepper.addUser({ id: 'm1', firstName: 'Matched', lastName: 'One', email: 'm1@example.com' }, { emitAction: false });
        crm.addContact({ firstName: 'Matched', lastName: 'One', email: 'm1@example.com' });
      },
    });
    try {
      await h.idle();
      const byUser = new Map((await links(h)).map((l) => [l.pepperUserId, l]));
      expect(byUser.get('n1')).toMatchObject({ status: 'LINKED', matchedBy: 'CREATED', crmWalletId: h.crm.findContactByCode('n1')?.walletId });
      expect(byUser.get('m1')).toMatchObject({ status: 'LINKED', matchedBy: 'EMAIL' });
      expect(h.crm.requests.filter(isSearch).length).toBeGreaterThanOrEqual(2);
    } finally {
      await h.close();
    }
  });
});

describe('a POS movement on a wallet the seed has not read back yet (e2e)', () => {
  it('waits for the wallet id of a contact the seed created instead of skipping the journal', async () => {
    let users: string[] = [];
    const h = await startChaosHarness({ crm: { variants: { journalsWithoutContact: true } }, seed: (pepper) => (users = addUsers(pepper, 'Fresh', 2)) });
    try {
      expect(await settleUntilClean(h)).toMatchObject({ pending: 0 });
      const contact = h.crm.findContactByCode(users[0])!;
      // The moment between our create and the refresh that brings its wallet id: neither the link nor the index has it.
      await writeDb(h.config.databasePath, 'UPDATE "user_link" SET "crmWalletId" = NULL WHERE "pepperUserId" = ?', [users[0]]);
      await writeDb(h.config.databasePath, 'UPDATE "contact_index" SET "walletId" = NULL WHERE "contactId" = ?', [contact.id]);
      const journal = h.crm.posAward(contact.id, '1.50');

      await settle(h, 1);
      const waiting = (await inboundEvents(h.config.databasePath, 'crmcom')).find((e) => e.externalId === journal.id);
      expect(waiting).toMatchObject({ state: 'PENDING', lastError: expect.stringContaining('not known yet') });
      expect(pepperPoints(h, users[0])).toBe(0);

      // the refresh brings the wallet id: the journal moves the Pepper balance once
      await h.app.get(LinkStore).setWalletIfMissing(users[0], contact.id, contact.walletId as string);
      expect(await settleUntilClean(h)).toMatchObject({ pending: 0, violations: [] });
      expect(pepperPoints(h, users[0])).toBe(150);
      expect((await inboundEvents(h.config.databasePath, 'crmcom')).find((e) => e.externalId === journal.id)).toMatchObject({ state: 'DONE' });
    } finally {
      await h.close();
    }
  });
});

describe("a matched user's opening balance from the wallet balance the contact list showed (e2e)", () => {
  const walletReads = (h: Harness) => h.crm.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/wallets/'));
  const seedMatched = (pepper: Harness['pepper'], crm: Harness['crm']) => {
    pepper.addPerk({ id: WALLET_PERK, title: 'Wallet', template: 'PSEUDO_CURRENCY' });
    pepper.addUser({ id: 'new', firstName: 'Nell', lastName: 'New', email: 'nell@example.com' }, { emitAction: false });
    pepper.addUser({ id: 'matched', firstName: 'Mo', lastName: 'Match', email: 'mo@example.com' }, { emitAction: false });
    return crm.addContact({ firstName: 'Mo', lastName: 'Match', email: 'mo@example.com', balance: '5.00' });
  };

  /**
   * A seed whose matched user waits: one lane, behind the new user, whose create is held for `holdMs`. Answers once the
   * index has been read (it is read before the first create) and the matched user is not linked yet.
   */
  const seedWithMatchedUserHeld = async (holdMs: number, clock?: SkewClock) => {
    let contactId = '';
    const h = await startHarness({
      clock,
      env: { ...LOYALTY_ENV, SYNC_CONCURRENCY: '1' },
      seed: (pepper, crm) => {
        contactId = seedMatched(pepper, crm).id;
        crm.faults.add({ method: 'POST', path: /^\/contacts$/, fault: { kind: 'delay', ms: holdMs }, times: 1 });
      },
    });
    await waitFor(() => expect(h.crm.requests.some((r) => r.method === 'POST' && r.path === '/contacts')).toBe(true)).catch(async (error) => {
      await h.close();
      throw error;
    });
    return { h, contactId };
  };

  it('opens with the listed balance: no wallet read, and the Pepper award shows the wallet', async () => {
    const h = await startHarness({ env: LOYALTY_ENV, seed: seedMatched });
    try {
      await settle(h);
      expect((await links(h)).find((l) => l.pepperUserId === 'matched')).toMatchObject({ status: 'LINKED', matchedBy: 'EMAIL' });
      expect(pepperPoints(h, 'matched')).toBe(500);
      expect(walletReads(h)).toEqual([]);
      expect(await balanceMismatches(h)).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('a CRM.COM that lists wallets without a balance (the documented {id, code}): the wallet is read once', async () => {
    let contact: ReturnType<typeof seedMatched> | undefined;
    const h = await startHarness({
      env: LOYALTY_ENV,
      crm: { variants: { walletsWithoutBalance: true } },
      seed: (pepper, crm) => (contact = seedMatched(pepper, crm)),
    });
    try {
      await settle(h);
      expect(pepperPoints(h, 'matched')).toBe(500);
      expect(walletReads(h).map((r) => r.path)).toEqual([`/wallets/${contact?.walletId}`]);
    } finally {
      await h.close();
    }
  });

  it('a journal of the contact taken in after the list was read but before the link: the wallet is read, the journal counts once', async () => {
    const { h, contactId } = await seedWithMatchedUserHeld(1500);
    try {
      const journal = h.crm.posAward(contactId, '1.50');
      await (await h.app.get(SyncJobs).startJournalsPoll('ADMIN')).done;
      await waitFor(async () =>
        expect((await inboundEvents(h.config.databasePath, 'crmcom')).find((e) => e.externalId === journal.id)).toMatchObject({ state: 'SKIPPED' }),
      );
      expect((await links(h)).find((l) => l.pepperUserId === 'matched')).toBeUndefined();

      await settle(h);
      expect((await links(h)).find((l) => l.pepperUserId === 'matched')).toMatchObject({ status: 'LINKED', matchedBy: 'EMAIL' });
      // the listed 5.00 no longer tells the whole story: the wallet (6.50) is read, and the journal is inside it
      expect(walletReads(h)).toHaveLength(1);
      expect(pepperPoints(h, 'matched')).toBe(650);
      expect(await balanceMismatches(h)).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('a journal posted after the list was read, taken in after the link: a movement on top of the listed balance, once', async () => {
    const clock = new SkewClock();
    const { h, contactId } = await seedWithMatchedUserHeld(1000, clock);
    try {
      // later than the second the list was read in (posted_on has whole seconds)
      clock.advance(5_000);
      h.crm.posAward(contactId, '1.50');
      await h.idle();
      expect((await links(h)).find((l) => l.pepperUserId === 'matched')).toMatchObject({ status: 'LINKED', matchedBy: 'EMAIL' });

      await settle(h);
      expect(walletReads(h)).toEqual([]);
      expect(pepperPoints(h, 'matched')).toBe(650);
      expect(await balanceMismatches(h)).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
