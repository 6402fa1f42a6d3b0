import { SyncJobs } from '../../src/sync/sync-jobs';
import { waitFor } from '../support/harness';
import { pepperPoints, settle, WALLET_PERK } from '../support/loyalty';
import { addUsers, ChaosHarness, orderRef, settleUntilClean, startChaosHarness } from '../support/chaos/chaos-harness';
import { inboundEvents, queryDb } from '../support/chaos/db';
import { checkInvariants, INVARIANTS, violationsOf } from '../support/chaos/invariants';

const REWARD = { rewardOffers: [{ name: '10% back', percent: 10 }] };
const purchasesOf = (h: ChaosHarness, orderId: string) => h.crm.purchases().filter((p) => p.referenceNumber === orderRef(h.config, orderId));
const cursorMs = async (h: ChaosHarness) =>
  Date.parse((await queryDb<{ cursor: string }>(h.config.databasePath, "SELECT cursor FROM sync_state WHERE feed = 'pepper.actions'"))[0].cursor);

describe('chaos: late, deleted and contested events (e2e)', () => {
  describe('actions indexed late', () => {
    let h: ChaosHarness;
    let users: string[] = [];
    beforeAll(async () => {
      h = await startChaosHarness({ env: { PEPPER_POLL_OVERLAP_SECONDS: '10' }, crm: REWARD, seed: (pepper) => (users = addUsers(pepper, 'Late', 2)) });
      await settle(h);
    });
    afterAll(() => h.close());

    it('an order that becomes visible after the cursor passed it, but inside the overlap, becomes exactly one purchase', async () => {
      const at = h.clock.now();
      const late = h.pepper.completeOrder(users[0], { orderId: 'late-in-overlap', total: '10.00', items: [], at, visibleAt: new Date(at.getTime() + 4_000) });
      h.clock.advance(1_000);
      await settle(h);
      expect(await cursorMs(h)).toBeGreaterThan(at.getTime());
      expect(purchasesOf(h, 'late-in-overlap')).toHaveLength(0);
      expect(await checkInvariants(h)).toEqual([]); // invisible actions are not yet the connector's business

      h.clock.advance(4_000);
      await settle(h);
      expect(purchasesOf(h, 'late-in-overlap')).toHaveLength(1);
      expect((await inboundEvents(h.config.databasePath, 'pepper')).filter((e) => e.externalId === late._id)).toEqual([expect.objectContaining({ state: 'DONE' })]);
      await settle(h);
      expect(purchasesOf(h, 'late-in-overlap')).toHaveLength(1);
      expect(pepperPoints(h, users[0])).toBe(100);
      expect(await checkInvariants(h)).toEqual([]);
    });

    it('an order indexed later than the overlap is missed by the poll (the checker says so) and taken in once by the sweep', async () => {
      const at = h.clock.now();
      const late = h.pepper.completeOrder(users[1], { orderId: 'late-beyond-overlap', total: '10.00', items: [], at, visibleAt: new Date(at.getTime() + 30_000) });
      h.clock.advance(1_000);
      await settle(h);
      h.clock.advance(15_000); // the cursor moves on, more than the overlap past the hidden order
      await settle(h);
      h.clock.advance(15_000); // now it is visible, but before the next window's start
      await settle(h);
      expect(purchasesOf(h, 'late-beyond-overlap')).toHaveLength(0);
      expect(violationsOf(await checkInvariants(h), INVARIANTS.cursor)).toEqual([expect.stringContaining(late._id)]);

      await (await h.app.get(SyncJobs).tick('actions-sweep'))!.done;
      await settle(h);
      expect(purchasesOf(h, 'late-beyond-overlap')).toHaveLength(1);
      expect(await checkInvariants(h)).toEqual([]);
    });
  });

  describe('users deleted while their events are in flight', () => {
    let h: ChaosHarness;
    let users: string[] = [];
    beforeAll(async () => {
      h = await startChaosHarness({ crm: REWARD, seed: (pepper) => (users = addUsers(pepper, 'Gone', 2)) });
      await settle(h);
    });
    afterAll(() => h.close());

    it('a linked user who orders and is deleted before the poll: one purchase, the link marked DELETED, no crash', async () => {
      h.pepper.completeOrder(users[0], { orderId: 'gone-linked', total: '10.00', items: [] });
      h.pepper.deleteUser(users[0]);
      await settle(h);
      await settle(h);
      expect(purchasesOf(h, 'gone-linked')).toHaveLength(1);
      expect((await h.admin.get(`/admin/links?pepperUserId=${users[0]}`).expect(200)).body.items[0]).toMatchObject({ status: 'DELETED' });
      const status = (await h.admin.get('/admin/status').expect(200)).body;
      expect(status.jobs['actions-poll']).toMatchObject({ state: 'DONE' });
      expect(h.crm.getContact(h.crm.findContactByCode(users[0])!.id)).toBeDefined(); // CRM.COM data is never deleted
      expect(await checkInvariants(h)).toEqual([]);
    });

    it('a new user who orders and is deleted before the poll: never two purchases, and no silent wait — made once or parked with a reason', async () => {
      const user = h.pepper.addUser({ firstName: 'Brief', lastName: 'Visit', email: 'brief.visit@chaos.example' }).id;
      const order = h.pepper.completeOrder(user, { orderId: 'gone-new', total: '10.00', items: [] });
      h.pepper.deleteUser(user);
      await settleUntilClean(h, { maxRounds: 3 });
      await h.admin.get('/health').expect(200);
      const made = purchasesOf(h, 'gone-new').length;
      expect(made).toBeLessThanOrEqual(1);
      if (made === 0) {
        const parked = (await h.admin.get('/admin/failed-events').expect(200)).body.items;
        const event = (await inboundEvents(h.config.databasePath, 'pepper')).find((e) => e.externalId === order._id);
        expect({ state: event?.state, visibleToOperator: parked.some((p: { externalId: string }) => p.externalId === order._id) }).toEqual({
          state: 'FAILED',
          visibleToOperator: true,
        });
      }
      expect(await checkInvariants(h)).toEqual([]);
    });

    it('an order of a linked user that is indexed only after their deletion was processed is not left waiting forever', async () => {
      const at = h.clock.now();
      const order = h.pepper.completeOrder(users[1], { orderId: 'gone-late', total: '10.00', items: [], at, visibleAt: new Date(at.getTime() + 1_000) });
      h.pepper.deleteUser(users[1]);
      await settle(h);
      h.clock.advance(1_500);
      await settleUntilClean(h, { maxRounds: 3 });
      const made = purchasesOf(h, 'gone-late').length;
      expect(made).toBeLessThanOrEqual(1);
      const event = (await inboundEvents(h.config.databasePath, 'pepper')).find((e) => e.externalId === order._id);
      // Either the purchase is made (the contact still exists) or the operator can see why it was not.
      expect(made === 1 || event?.state === 'FAILED').toBe(true);
    });
  });

  describe('a contact already linked to another user', () => {
    it("a second user with the same verified email gets CONTACT_LINKED_ELSEWHERE; their orders wait, then flow once the operator resolves with 'create'", async () => {
      let first = '';
      const h = await startChaosHarness({
        crm: REWARD,
        seed: (pepper) => {
          first = pepper.addUser({ firstName: 'Sam', lastName: 'Shared', email: 'shared@chaos.example' }, { emitAction: false }).id;
        },
      });
      try {
        await settle(h);
        const firstContact = h.crm.findContactByCode(first)!.id;
        const second = h.pepper.addUser({ firstName: 'Sam', lastName: 'Other', email: 'shared@chaos.example' }).id;
        const orders = [1, 2].map((i) => h.pepper.completeOrder(second, { orderId: `contested-${i}`, total: '20.00', items: [] }));
        await settle(h);

        const conflicts = (await h.admin.get(`/admin/conflicts?status=open&pepperUserId=${second}`).expect(200)).body.items;
        expect(conflicts).toEqual([expect.objectContaining({ kind: 'CONTACT_LINKED_ELSEWHERE', candidateContactIds: [firstContact] })]);
        const events = await inboundEvents(h.config.databasePath, 'pepper');
        for (const order of orders) expect(events.find((e) => e.externalId === order._id)).toMatchObject({ state: 'WAITING_LINK' });
        expect(h.crm.purchases().filter((p) => p.referenceNumber?.includes(':order:contested-'))).toEqual([]);
        expect(await checkInvariants(h)).toEqual([]);

        const resolved = await h.admin.post(`/admin/conflicts/${conflicts[0].id}/resolve`, { action: 'create', actor: 'chaos@ops' }).expect(200);
        expect(resolved.body.link).toMatchObject({ pepperUserId: second, status: 'LINKED' });
        const secondContact = resolved.body.link.crmContactId;
        expect(secondContact).not.toBe(firstContact);
        // The next poll comes after the resolution (minutes later in production). Within the same second, the new
        // contact's opening balance races the first reward: that is the newcomer case below.
        h.clock.advance(2_000);
        await settle(h);

        const purchases = h.crm.purchases().filter((p) => p.referenceNumber?.includes(':order:contested-'));
        expect(purchases.map((p) => p.contactId)).toEqual([secondContact, secondContact]);
        expect(h.crm.walletBalanceMinor(firstContact)).toBe(0);
        expect(pepperPoints(h, second)).toBe(400);
        expect(pepperPoints(h, first)).toBe(0);
        expect(await checkInvariants(h)).toEqual([]);
      } finally {
        await h.close();
      }
    });
  });

  describe('customers who sign up and order straight away', () => {
    it("a new customer's first reward is counted once: the opening balance does not carry the mirrored reward into the wallet again", async () => {
      const h = await startChaosHarness({ crm: REWARD });
      try {
        await settle(h);
        const newcomers = [0, 1, 2].map((i) => h.pepper.addUser({ firstName: `Quick${i}`, lastName: 'Start', email: `quick${i}@chaos.example` }).id);
        for (const [i, user] of newcomers.entries()) h.pepper.completeOrder(user, { orderId: `quick-${i}`, total: '8.00', items: [] });
        await settleUntilClean(h, { maxRounds: 3 });
        for (const user of newcomers) {
          const contact = h.crm.findContactByCode(user)!.id;
          expect({ user, wallet: h.crm.walletBalanceMinor(contact), pepper: pepperPoints(h, user) }).toEqual({ user, wallet: 80, pepper: 80 });
        }
        expect(await checkInvariants(h)).toEqual([]);
      } finally {
        await h.close();
      }
    });
  });

  describe('two movements of one user in the same millisecond', () => {
    it('are applied in the order Pepper lists them, so a later reset is journalled from the right previous balance', async () => {
      let user = '';
      const h = await startChaosHarness({ env: { PEPPER_WALLET_EARNING: 'credit' }, crm: REWARD, seed: (pepper) => ([user] = addUsers(pepper, 'Tie', 1)) });
      try {
        await settle(h);
        h.pepper.completeOrder(user, { orderId: 'tie-0', total: '20.00', items: [] });
        await settle(h);
        const award = h.pepper.awardsOf(user).find((a) => a.perkId === WALLET_PERK)!;
        const at = h.clock.now();
        h.pepper.refundAward(user, award._id, 30, { at }); // 200 → 230
        h.pepper.grantAward(user, WALLET_PERK, 25, { at }); // 230 → 255, same timestamp
        await settle(h);
        h.clock.advance(10);
        h.pepper.resetAward(award._id, 120); // previous balance 255: a debit of 1.35
        await settle(h);
        expect({ wallet: h.crm.walletBalanceMinor(h.crm.findContactByCode(user)!.id), pepper: pepperPoints(h, user) }).toEqual({ wallet: 120, pepper: 120 });
        expect(await checkInvariants(h)).toEqual([]);
      } finally {
        await h.close();
      }
    });
  });

  describe('Pepper unavailable while the connector starts', () => {
    it('a transient outage of GET /perks at start-up does not switch loyalty off until the next daily perks sync', async () => {
      let user = '';
      const h = await startChaosHarness({
        env: { SCHEDULER_ENABLED: 'true', PEPPER_POLL_INTERVAL_SECONDS: '1', CRMCOM_POLL_INTERVAL_SECONDS: '1', HTTP_MAX_RETRIES: '2' },
        crm: REWARD,
        seed: (pepper) => {
          [user] = addUsers(pepper, 'Boot', 1);
          pepper.faults.add({ method: 'GET', path: /^\/perks$/, times: 3, fault: { kind: 'status', status: 503 } });
        },
      });
      try {
        await waitFor(async () => {
          const { body } = await h.admin.get('/admin/status').expect(200);
          expect(body.jobs['perks-sync']).toMatchObject({ state: 'FAILED' });
          expect(body.jobs['users-seed']).toMatchObject({ state: 'DONE' });
        });
        expect(h.pepper.faults.injectedCount).toBe(3); // Pepper answers again from here on
        h.pepper.completeOrder(user, { orderId: 'after-outage', total: '10.00', items: [] });
        // With the scheduler running (polls every second), loyalty should come back and the order flow within seconds.
        await waitFor(async () => {
          const { body } = await h.admin.get('/admin/status').expect(200);
          expect(body.loyalty).toMatchObject({ state: 'ACTIVE' });
          expect(purchasesOf(h, 'after-outage')).toHaveLength(1);
        }, 8_000, 200);
      } finally {
        await h.close();
      }
    });

    it('a restart while GET /perks fails keeps loyalty on from the catalogue already stored: orders are not parked', async () => {
      let user = '';
      const h = await startChaosHarness({ env: { HTTP_MAX_RETRIES: '2' }, crm: REWARD, seed: (pepper) => ([user] = addUsers(pepper, 'Reboot', 1)) });
      try {
        await settle(h);
        expect((await h.admin.get('/admin/status').expect(200)).body.loyalty).toMatchObject({ state: 'ACTIVE' });
        h.pepper.faults.add({ method: 'GET', path: /^\/perks$/, times: 3, fault: { kind: 'status', status: 503 } });
        await h.restart();
        await h.idle();
        expect(h.pepper.faults.injectedCount).toBe(3);
        h.pepper.completeOrder(user, { orderId: 'after-reboot', total: '10.00', items: [] });
        await settle(h);
        const status = (await h.admin.get('/admin/status').expect(200)).body;
        expect({ loyalty: status.loyalty.state, parked: status.totals.failedEvents, purchases: purchasesOf(h, 'after-reboot').length }).toEqual({
          loyalty: 'ACTIVE',
          parked: 0,
          purchases: 1,
        });
      } finally {
        await h.close();
      }
    });
  });
});
