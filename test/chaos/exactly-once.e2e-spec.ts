import { SyncJobs } from '../../src/sync/sync-jobs';
import { waitFor } from '../support/harness';
import { pepperPoints, pollUntilRunEnds, settle, WALLET_PERK } from '../support/loyalty';
import { addUsers, ChaosHarness, orderRef, settleUntilClean, startChaosHarness } from '../support/chaos/chaos-harness';
import { inboundEvents, queryDb, sqliteDateMs, writeDb } from '../support/chaos/db';
import { checkInvariants } from '../support/chaos/invariants';
import { ChildConnector, spawnConnector, startSimulatorsForChild, waitUntilLeaseExpired, waitUntilSeeded } from '../support/chaos/child-connector';

const HOUR = 3_600_000;
const actionRef = (h: ChaosHarness, actionId: string) => `pepper:${h.config.pepper.applicationId}:action:${actionId}`;
const actionJournals = (h: ChaosHarness) => h.crm.journals().filter((j) => j.referenceNumber?.includes(':action:'));
const walletMinor = (h: ChaosHarness, userId: string) => h.crm.walletBalanceMinor(h.crm.findContactByCode(userId)!.id);

describe('chaos: exactly once (e2e)', () => {
  describe('history before go-live is never replayed as movements', () => {
    let h: ChaosHarness;
    let user: string;
    beforeAll(async () => {
      h = await startChaosHarness({
        env: { PEPPER_WALLET_EARNING: 'credit' },
        seed: (pepper) => {
          [user] = addUsers(pepper, 'History', 1);
          const award = pepper.grantAward(user, WALLET_PERK, 300, { at: new Date(Date.now() - 2 * HOUR) });
          pepper.redeemAward(user, award._id, 100, { at: new Date(Date.now() - 1.5 * HOUR) });
          pepper.completeOrder(user, { orderId: 'before-go-live', total: '9.00', items: [], at: new Date(Date.now() - HOUR) });
        },
      });
      await settle(h);
    });
    afterAll(() => h.close());

    it('carries the 200 points into the new wallet once, at go-live', () => {
      expect(pepperPoints(h, user)).toBe(200);
      expect(walletMinor(h, user)).toBe(200);
    });

    it('the hourly sweep does not read before the feed started: no journal, no purchase from before go-live', async () => {
      await (await h.app.get(SyncJobs).tick('actions-sweep'))!.done;
      await settle(h);
      expect(actionJournals(h)).toEqual([]);
      expect(h.crm.purchases()).toEqual([]);
      expect(walletMinor(h, user)).toBe(200);
      expect(await checkInvariants(h)).toEqual([]);
    });

    it('a backfill dry run says what it would write (the order only); the real backfill buys the order and journals no movement', async () => {
      const since = new Date(Date.now() - 3 * HOUR).toISOString();
      const dry = await h.admin.post('/admin/resync', { scope: 'all', since }).expect(202);
      await h.idle();
      const counts = (await h.admin.get(`/admin/runs/${dry.body.runIds['actions-backfill']}`).expect(200)).body.counts as Record<string, number>;
      expect(counts).toMatchObject({ 'wouldWrite.purchase': 1, 'wouldWrite.purchaseMinor': 900 });
      expect(Object.keys(counts).filter((k) => /REDEEM|REWARD/.test(k))).toEqual([]);
      expect(h.crm.purchases()).toEqual([]);

      await h.admin.post('/admin/resync', { scope: 'all', since, dryRun: false }).expect(202);
      await h.idle();
      await settle(h);
      expect(h.crm.purchases().map((p) => p.referenceNumber)).toEqual([orderRef(h.config, 'before-go-live')]);
      expect(actionJournals(h)).toEqual([]);
      expect(walletMinor(h, user)).toBe(200 + 0);
      expect(pepperPoints(h, user)).toBe(200);
    });
  });

  describe('a wallet movement at or before the opening-balance point', () => {
    it('is inside the opening balance and never journalled, even when it reaches the connector after the link', async () => {
      let user = '';
      const h = await startChaosHarness({
        env: { PEPPER_WALLET_EARNING: 'credit', PEPPER_POLL_OVERLAP_SECONDS: '60' },
        seed: (pepper) => ([user] = addUsers(pepper, 'Opening', 1)),
      });
      try {
        await settle(h);
        // Points granted in Pepper just before the link was made, but indexed late: seen only after the link.
        const openingAt = sqliteDateMs(
          (await queryDb<{ openingAt: string }>(h.config.databasePath, 'SELECT openingAt FROM user_link WHERE pepperUserId = ?', [user]))[0].openingAt,
        ) as number;
        expect(Number.isNaN(openingAt ?? NaN)).toBe(false);
        h.pepper.grantAward(user, WALLET_PERK, 500, { at: new Date(openingAt), visibleAt: new Date(h.clock.nowMs() + 1_000) });
        h.clock.advance(2_000);
        await settle(h);
        // That grant was not in the balances read at the opening, so it is missing on CRM.COM: reconciliation reports it,
        // rather than the movement being journalled on a guess. The event is skipped with the reason.
        const events = (await inboundEvents(h.config.databasePath, 'pepper')).filter((e) => e.type === 'REWARD_EARNED');
        expect(events).toEqual([expect.objectContaining({ state: 'SKIPPED', lastError: expect.stringContaining('opening balance') })]);
        expect(actionJournals(h)).toEqual([]);
      } finally {
        await h.close();
      }
    });
  });

  describe('AWARD_POINTS_RESET retried after a failed journal', () => {
    it('journals the difference exactly once', async () => {
      let user = '';
      const h = await startChaosHarness({
        seed: (pepper) => {
          [user] = addUsers(pepper, 'Reset', 1);
          pepper.grantAward(user, WALLET_PERK, 600, { at: new Date(Date.now() - HOUR) });
        },
      });
      try {
        await settle(h);
        expect([pepperPoints(h, user), walletMinor(h, user)]).toEqual([600, 600]);
        h.crm.faults.add({ method: 'POST', path: /\/journals$/, times: 10, fault: { kind: 'status', status: 400, body: { status: 400, message: 'temporarily refused', error: 'CRM.EXCEPTIONS.TEST' } } });
        const award = h.pepper.awardsOf(user).find((a) => a.perkId === WALLET_PERK)!;
        h.pepper.resetAward(award._id, 0);
        const reset = h.pepper.actions().at(-1)!;
        expect(reset.type).toBe('AWARD_POINTS_RESET');
        await settle(h, 1);
        h.crm.faults.clear();
        // The operator retries the parked event once the cause is fixed.
        const parked = (await h.admin.get('/admin/failed-events').expect(200)).body.items.find((e: { externalId: string }) => e.externalId === reset._id);
        expect(parked).toBeDefined();
        await h.admin.post(`/admin/failed-events/${parked.id}/retry`).expect(200);
        await settleUntilClean(h);
        const journals = h.crm.journals().filter((j) => j.referenceNumber === actionRef(h, reset._id));
        expect(journals).toEqual([expect.objectContaining({ type: 'DEBIT', amountMinor: 600 })]);
        expect([pepperPoints(h, user), walletMinor(h, user)]).toEqual([0, 0]);
      } finally {
        await h.close();
      }
    });
  });

  describe('loyalty misconfigured, then fixed', () => {
    it('orders and movements wait (never parked) and flow by themselves once loyalty is ACTIVE', async () => {
      let users: string[] = [];
      const h = await startChaosHarness({
        seed: (pepper) => {
          pepper.addPerk({ id: 'perk-second-wallet', title: 'Second wallet', template: 'PSEUDO_CURRENCY' });
          users = addUsers(pepper, 'Off', 2);
          pepper.grantAward(users[0], WALLET_PERK, 400, { at: new Date(Date.now() - HOUR) });
        },
      });
      try {
        await settle(h);
        expect((await h.admin.get('/admin/status').expect(200)).body.loyalty.state).toBe('DISABLED');
        for (let i = 0; i < 3; i++) h.pepper.completeOrder(users[i % 2], { orderId: `off-${i}`, total: '5.00', items: [] });
        const award = h.pepper.awardsOf(users[0]).find((a) => a.perkId === WALLET_PERK)!;
        h.pepper.redeemAward(users[0], award._id, 100);
        await settle(h);
        expect((await h.admin.get('/admin/failed-events').expect(200)).body.items).toEqual([]);
        expect(h.crm.purchases()).toEqual([]);

        h.pepper.setPerkEnabled('perk-second-wallet', false);
        await h.admin.post('/admin/resync', { scope: 'perks' }).expect(202);
        await h.idle();
        expect((await h.admin.get('/admin/status').expect(200)).body.loyalty.state).toBe('ACTIVE');
        const outcome = await settleUntilClean(h);
        expect(outcome).toMatchObject({ pending: 0, violations: [] });
        expect(h.crm.purchases()).toHaveLength(3);
        expect((await h.admin.get('/admin/failed-events').expect(200)).body.items).toEqual([]);
        // The opening balance (taken when loyalty came on) carries the 300 points left after the redemption.
        expect([pepperPoints(h, users[0]), walletMinor(h, users[0])]).toEqual([300, 300]);
      } finally {
        await h.close();
      }
    });
  });

  describe('an echo of an attempt already given up', () => {
    it('opens an UNMATCHED_ECHO conflict instead of being credited as an earning', async () => {
      let users: string[] = [];
      const h = await startChaosHarness({ env: { PEPPER_WALLET_EARNING: 'credit' }, seed: (pepper) => (users = addUsers(pepper, 'GaveUp', 1)) });
      try {
        await settle(h);
        h.crm.posAward(h.crm.findContactByCode(users[0])!.id, '1.00');
        await settle(h);
        expect(pepperPoints(h, users[0])).toBe(100);
        const echo = h.pepper.actions().filter((a) => a.type === 'REWARD_EARNED').at(-1)!;
        // What a give-up leaves on disk when the echo came later than the feed's settling window: the attempt is
        // FAILED (given up), its echo still to be processed.
        await h.idle();
        await writeDb(h.config.databasePath, "UPDATE outbound_write SET state = 'FAILED', gaveUpAt = updatedAt, matchedActionId = NULL WHERE matchedActionId = ?", [echo._id]);
        await writeDb(h.config.databasePath, "UPDATE inbound_event SET state = 'PENDING', attempts = 0, lastError = NULL WHERE externalId = ?", [echo._id]);
        await h.restart();
        await settle(h);
        expect(actionJournals(h)).toEqual([]);
        const conflicts = (await h.admin.get('/admin/conflicts?status=open&kind=UNMATCHED_ECHO').expect(200)).body.items;
        expect(conflicts).toEqual([expect.objectContaining({ pepperUserId: users[0] })]);
      } finally {
        await h.close();
      }
    });
  });

  it('the opening balance and a debit waiting for it never deadlock the actions cursor', async () => {
    let users: string[] = [];
    const h = await startChaosHarness({ seed: (pepper, crm) => {
      users = addUsers(pepper, 'Dead', 1);
      crm.addContact({ firstName: 'Dead0', lastName: 'Chaos', email: 'dead0@chaos.example', balance: '5.00' });
      pepper.grantAward(users[0], WALLET_PERK, 100, { at: new Date(Date.now() - HOUR) });
    } });
    try {
      // The opening grant (wallet 5.00 → +400 points) is in doubt: answered 503 (not applied) past every retry.
      h.pepper.faults.add({ method: 'POST', path: /\/awards$/, times: 7, fault: { kind: 'status', status: 503 } });
      await settle(h, 1);
      const award = h.pepper.awardsOf(users[0]).find((a) => a.perkId === WALLET_PERK)!;
      h.pepper.redeemAward(users[0], award._id, 50);
      const outcome = await settleUntilClean(h, { maxRounds: 15 });
      expect(outcome).toMatchObject({ pending: 0, violations: [] });
      await waitFor(async () => expect(pepperPoints(h, users[0])).toBe(450), 5_000, 100);
    } finally {
      await h.close();
    }
  });

  describe('reconciliation and accept-crm', () => {
    let h: ChaosHarness;
    let users: string[] = [];
    beforeAll(async () => {
      h = await startChaosHarness({
        seed: (pepper) => {
          users = addUsers(pepper, 'Recon', 3);
          for (const user of users) pepper.grantAward(user, WALLET_PERK, 1000, { at: new Date(Date.now() - HOUR) });
        },
      });
      await settle(h);
    });
    afterAll(() => h.close());

    /** Runs a reconciliation while both feeds keep polling (it waits for them to pass its snapshot). */
    async function reconcile(body: object): Promise<Record<string, number>> {
      const res = await h.admin.post('/admin/resync', { scope: 'awards', ...body }).expect(202);
      const run = await pollUntilRunEnds(h, res.body.runId);
      await settle(h);
      expect(run).toMatchObject({ state: 'DONE', error: null });
      return run.counts;
    }

    it('a fix never lands on top of a POS spend that was not polled yet: the spend moves the award once', async () => {
      expect([pepperPoints(h, users[0]), walletMinor(h, users[0])]).toEqual([1000, 1000]);
      h.crm.posSpend(h.crm.findContactByCode(users[0])!.id, '3.00'); // not polled yet when the run takes its snapshot
      const counts = await reconcile({ dryRun: false });
      expect(counts).toMatchObject({ differingAtSnapshot: 1, movedSinceSnapshot: 1 });
      expect(counts.fixed).toBeUndefined();
      expect([pepperPoints(h, users[0]), walletMinor(h, users[0])]).toEqual([700, 700]);
      expect(await checkInvariants(h)).toEqual([]);
    });

    it('a real drift is reported after the gate and corrected as a delta (a redeem the feed recognises as an echo)', async () => {
      const award = h.pepper.awardsOf(users[1]).find((a) => a.perkId === WALLET_PERK)!;
      h.pepper.setAwardPoints(award._id, 1250); // a silent change: PUT emits no action
      const counts = await reconcile({ dryRun: false });
      expect(counts).toMatchObject({ drifting: 1, fixed: 1 });
      expect([pepperPoints(h, users[1]), walletMinor(h, users[1])]).toEqual([1000, 1000]);
      const writes = await queryDb<{ kind: string; points: number; state: string }>(
        h.config.databasePath,
        "SELECT kind, points, state FROM outbound_write WHERE idempotencyKey LIKE '%:reconcile:%'",
      );
      expect(writes).toEqual([{ kind: 'REDEEM', points: -250, state: 'DONE' }]);
      expect(actionJournals(h)).toEqual([]);
    });

    it('accept-crm on a BALANCE_DRIFT conflict corrects through a gated one-user run and names the actor', async () => {
      const award = h.pepper.awardsOf(users[2]).find((a) => a.perkId === WALLET_PERK)!;
      h.pepper.setAwardPoints(award._id, 900);
      await reconcile({}); // a dry run: reports only
      const conflict = (await h.admin.get(`/admin/conflicts?status=open&kind=BALANCE_DRIFT&pepperUserId=${users[2]}`).expect(200)).body.items[0];
      expect(conflict.details).toMatchObject({ pepperPoints: 900, walletPoints: 1000 });
      expect(pepperPoints(h, users[2])).toBe(900);

      const res = await h.admin.post(`/admin/conflicts/${conflict.id}/resolve`, { action: 'accept-crm', actor: 'ops@merchant' }).expect(200);
      expect(res.body.runId).toEqual(expect.any(String));
      expect(res.body.conflict.status).toBe('OPEN'); // resolved by the run once the correction is applied
      await pollUntilRunEnds(h, res.body.runId);
      await settle(h);
      expect([pepperPoints(h, users[2]), walletMinor(h, users[2])]).toEqual([1000, 1000]);
      const closed = (await h.admin.get(`/admin/conflicts?kind=BALANCE_DRIFT&pepperUserId=${users[2]}`).expect(200)).body.items[0];
      expect(closed).toMatchObject({ status: 'RESOLVED', resolvedBy: 'ops@merchant' });
      expect(await checkInvariants(h)).toEqual([]);
    });
  });

  it('an order waiting for a link is shown in /admin/status and parked, loudly, after MAX_WAIT_HOURS', async () => {
    let user = '';
    const h = await startChaosHarness({
      env: { MAX_WAIT_HOURS: '1' },
      seed: (pepper, crm) => {
        user = pepper.addUser({ firstName: 'Twin', lastName: 'Chaos', email: 'twin@chaos.example' }, { emitAction: false }).id;
        crm.addContact({ firstName: 'Twin', lastName: 'One', email: 'twin@chaos.example' });
        crm.addContact({ firstName: 'Twin', lastName: 'Two', email: 'twin@chaos.example' });
      },
    });
    try {
      await settle(h);
      h.pepper.completeOrder(user, { orderId: 'waits', total: '4.00', items: [] });
      await settle(h);
      h.clock.advance(20 * 60_000);
      await settle(h, 1);
      const feed = (await h.admin.get('/admin/status').expect(200)).body.feeds.find((f: { feed: string }) => f.feed === 'pepper.actions');
      expect(feed).toMatchObject({ waitingEvents: 1, oldestWaitSeconds: expect.any(Number) });
      expect(feed.oldestWaitSeconds).toBeGreaterThanOrEqual(20 * 60);
      expect((await h.admin.get('/admin/failed-events').expect(200)).body.items).toEqual([]);

      h.clock.advance(41 * 60_000);
      await settle(h, 1);
      const parked = (await h.admin.get('/admin/failed-events').expect(200)).body.items;
      expect(parked).toEqual([expect.objectContaining({ type: 'ORDER_COMPLETED', lastError: expect.stringContaining('MAX_WAIT_HOURS') })]);
      expect(parked[0].lastError).toContain('not linked');
      const after = (await h.admin.get('/admin/status').expect(200)).body.feeds.find((f: { feed: string }) => f.feed === 'pepper.actions');
      expect(after).toMatchObject({ waitingEvents: 0, oldestWaitSeconds: null });
      expect(h.crm.purchases()).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('SIGKILL after a link is written but before its follow-up steps: the restart requeues the waiting order and queues the opening balance', async () => {
    let user = '';
    let contactId = '';
    const setup = await startSimulatorsForChild({
      seed: (pepper, crm) => {
        user = pepper.addUser({ firstName: 'Kill', lastName: 'Link', email: 'killlink@chaos.example' }, { emitAction: false }).id;
        contactId = crm.addContact({ firstName: 'Kill', lastName: 'One', email: 'killlink@chaos.example', balance: '2.00' }).id;
        crm.addContact({ firstName: 'Kill', lastName: 'Two', email: 'killlink@chaos.example' });
      },
    });
    let child: ChildConnector | null = null;
    try {
      child = await spawnConnector(setup.env);
      const first = child;
      await waitUntilSeeded(first, { CONFLICT: 1 });
      setup.pepper.completeOrder(user, { orderId: 'after-kill', total: '6.00', items: [] });
      await waitFor(async () => expect(await queryDb(setup.databasePath, "SELECT 1 FROM inbound_event WHERE state = 'WAITING_LINK'")).toHaveLength(1), 20_000, 100);

      // The step after the link (reading the balances for the opening) hangs; the process dies there.
      setup.pepper.faults.add({ method: 'GET', path: /\/pointawards$/, fault: { kind: 'hang' } });
      const conflict = (await first.admin.get('/admin/conflicts?status=open').expect(200)).body.items[0];
      void first.admin.post(`/admin/conflicts/${conflict.id}/resolve`, { action: 'link', crmContactId: contactId, actor: 'ops' }).then(() => undefined, () => undefined);
      await waitFor(async () => expect(await queryDb(setup.databasePath, "SELECT 1 FROM user_link WHERE status = 'LINKED'")).toHaveLength(1), 20_000, 50);
      expect(await first.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
      expect(await queryDb(setup.databasePath, "SELECT 1 FROM inbound_event WHERE state = 'WAITING_LINK'")).toHaveLength(1);
      expect(await queryDb(setup.databasePath, 'SELECT openingAt FROM user_link WHERE openingAt IS NOT NULL')).toEqual([]);

      setup.pepper.faults.clear();
      await waitUntilLeaseExpired(setup.databasePath);
      child = await spawnConnector(setup.env);
      await waitFor(async () => {
        expect(setup.crm.purchases().map((p) => p.referenceNumber)).toEqual([`pepper:${setup.env.PEPPER_APPLICATION_ID}:order:after-kill`]);
        expect(setup.pepper.awardsOf(user).find((a) => a.perkId === WALLET_PERK)?.points.available).toBe(200);
      }, 30_000, 100);
    } finally {
      await child?.kill('SIGKILL');
      await setup.close();
    }
  }, 90_000);

  it('a CRM.COM debit whose Pepper redeem is retried keeps the points it stands for (the shortfall is still reported)', async () => {
    let user = '';
    const h = await startChaosHarness({
      seed: (pepper) => {
        [user] = addUsers(pepper, 'Short', 1);
        pepper.grantAward(user, WALLET_PERK, 300, { at: new Date(Date.now() - HOUR) });
      },
    });
    try {
      await settle(h);
      const award = h.pepper.awardsOf(user).find((a) => a.perkId === WALLET_PERK)!;
      h.pepper.setAwardPoints(award._id, 100); // Pepper now holds less than the wallet (a silent change)
      h.crm.posSpend(h.crm.findContactByCode(user)!.id, '3.00');
      // The first redeem (of the 100 available) is answered 503 past every retry, and did not happen.
      h.pepper.faults.add({ method: 'POST', path: /\/redeem$/, times: 7, fault: { kind: 'status', status: 503 } });
      const outcome = await settleUntilClean(h, { maxRounds: 15 });
      expect(outcome.pending).toBe(0);
      expect(pepperPoints(h, user)).toBe(0);
      const overdrawn = (await h.admin.get(`/admin/conflicts?status=open&kind=OVERDRAWN&pepperUserId=${user}`).expect(200)).body.items;
      const shortfall = { requestedPoints: 300, redeemedPoints: 100, shortfallPoints: 200 };
      expect(overdrawn).toEqual([expect.objectContaining({ details: expect.objectContaining(shortfall) })]);
    } finally {
      await h.close();
    }
  });
});
