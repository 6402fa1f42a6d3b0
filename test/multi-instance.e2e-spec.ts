import { waitFor } from './support/harness';
import { WALLET_PERK } from './support/loyalty';
import { addUsers } from './support/chaos/chaos-harness';
import { ChildConnector, invariantTarget, spawnConnector, startSimulatorsForChild, waitUntilSeeded, CHILD_LEASE_TTL_SECONDS } from './support/chaos/child-connector';
import { pendingEvents, queryDb, sqliteDateMs } from './support/chaos/db';
import { checkInvariants, INVARIANTS, violationsOf } from './support/chaos/invariants';
import { onPostgres } from './support/test-database';

const REWARD = { rewardOffers: [{ name: '10% back', percent: 10 }] };
const USERS = 200;
const ORDERS = 100;
const POS_AWARDS = 60;
const REDEMPTIONS = 40;

async function instanceOf(child: ChildConnector): Promise<string> {
  return (await child.admin.get('/admin/status').expect(200)).body.instance as string;
}

/**
 * Several instances of one merchant on one Postgres database (real processes, one pair of simulators): they share
 * the work and never double it, and when one is SIGKILLed mid-batch the other takes its jobs and its users over
 * within the lease time. Postgres only (on SQLite a second process refuses to start: test/chaos/single-writer).
 */
(onPostgres ? describe : describe.skip)('several instances on one Postgres database (e2e)', () => {
  it(`two instances, ${USERS} users, ${ORDERS} orders and ${POS_AWARDS + REDEMPTIONS} movements: each exactly once, balances equal, work split; one SIGKILLed mid-batch is taken over within the lease time`, async () => {
    let users: string[] = [];
    // Four lanes each (an instance claims eight events at a time) and 150 ms a purchase: the burst below lasts several
    // queue ticks (1 s), so both instances work it whatever the machine's load.
    const setup = await startSimulatorsForChild({
      crm: REWARD,
      seed: (pepper) => (users = addUsers(pepper, 'Multi', USERS)),
      env: { LOG_LEVEL: 'warn', SYNC_CONCURRENCY: '4' },
    });
    const children: ChildConnector[] = [];
    try {
      const [a, b] = await Promise.all([spawnConnector(setup.env), spawnConnector(setup.env)]);
      children.push(a, b);
      const [idA, idB] = [await instanceOf(a), await instanceOf(b)];
      const seedStart = Date.now();
      await waitFor(async () => {
        const { body } = await b.admin.get('/admin/status').expect(200);
        expect(body.loyalty.state).toBe('ACTIVE');
        expect(body.jobs['users-seed']).toMatchObject({ state: 'DONE' });
        expect(body.totals.links).toEqual({ LINKED: USERS });
      }, 120_000, 250).catch((error: unknown) => {
        process.stdout.write(`A:\n${a.stderr().slice(-3000)}\nB:\n${b.stderr().slice(-3000)}\n`);
        throw error;
      });
      await waitUntilSeeded(a);
      process.stdout.write(`multi-instance: seed of ${USERS} users took ${Date.now() - seedStart} ms\n`);
      // The seed ran once, in one instance: one contact per user.
      expect(setup.crm.contacts().length).toBe(USERS);
      const seeds = await queryDb<{ instance: string }>(setup.databasePath, "SELECT instance FROM sync_run WHERE job = 'users-seed' AND state = 'DONE'");
      expect(seeds).toHaveLength(1);

      // Orders (Pepper → purchases, whose reward awards come back as wallet credits) and POS awards (wallet → Pepper).
      setup.crm.faults.add({ method: 'POST', path: /^\/purchases$/, fault: { kind: 'delay', ms: 150 } });
      for (let i = 0; i < ORDERS; i++) setup.pepper.completeOrder(users[i], { orderId: `multi-${i}`, total: '10.00', items: [] });
      for (let i = 0; i < POS_AWARDS; i++) setup.crm.posAward(setup.crm.findContactByCode(users[ORDERS + i])!.id, '2.00');

      // Mid-batch: kill A once some purchases have landed and A is working its share (it has settled events of the
      // burst and holds claims on more).
      await waitFor(async () => {
        expect(setup.crm.purchases().length).toBeGreaterThanOrEqual(15);
        const [mine] = await queryDb<{ done: number; held: number }>(
          setup.databasePath,
          "SELECT SUM(CASE WHEN state = 'DONE' THEN 1 ELSE 0 END) AS done, SUM(CASE WHEN state = 'PENDING' AND claimedUntil IS NOT NULL THEN 1 ELSE 0 END) AS held FROM inbound_event WHERE claimedBy = ?",
          [idA],
        );
        expect(Number(mine?.done ?? 0)).toBeGreaterThan(0);
        expect(Number(mine?.held ?? 0)).toBeGreaterThan(0);
      }, 30_000, 5);
      const atKill = setup.crm.purchases().length;
      expect(await a.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
      const killedAt = Date.now();
      const heldByA = await queryDb<{ name: string }>(setup.databasePath, 'SELECT name FROM lease WHERE holder = ?', [idA]);
      const claimedByA = await queryDb<{ id: number }>(
        setup.databasePath,
        "SELECT id FROM inbound_event WHERE claimedBy = ? AND state = 'PENDING' AND claimedUntil IS NOT NULL",
        [idA],
      );

      // B takes A's job leases over once their heartbeat is LEASE_TTL_SECONDS old, and A's claimed users once the
      // claims lapse (the same time): measured from the kill to B's first run of each job, and to B finishing A's claims.
      const takeovers: Record<string, number> = {};
      await waitFor(async () => {
        for (const { name } of heldByA) {
          const job = name.replace(/^job:/, '');
          const [run] = await queryDb<{ startedAt: string }>(
            setup.databasePath,
            'SELECT startedAt FROM sync_run WHERE job = ? AND instance = ? ORDER BY startedAt DESC LIMIT 1',
            [job, idB],
          );
          const startedMs = sqliteDateMs(run?.startedAt);
          expect(startedMs !== null && startedMs > killedAt).toBe(true);
          takeovers[job] ??= (startedMs as number) - killedAt;
        }
      }, 30_000, 100);
      const finished: Record<string, number> = {};
      if (claimedByA.length > 0) {
        const ids = claimedByA.map((e) => e.id);
        // A's claims lapse LEASE_TTL_SECONDS after its last renewal: B then claims those users' events.
        await waitFor(async () => {
          const taken = await queryDb<{ id: number }>(setup.databasePath, 'SELECT id FROM inbound_event WHERE claimedBy = ?', [idB]);
          expect(taken.some((e) => ids.includes(e.id))).toBe(true);
        }, 30_000, 100);
        takeovers['claimed events'] = Date.now() - killedAt;
        await waitFor(async () => expect((await pendingEvents(setup.databasePath)).filter((e) => ids.includes(e.id))).toEqual([]), 60_000, 100);
        finished['claimed events all settled'] = Date.now() - killedAt;
      }

      // Pepper-side redemptions (→ wallet debits) once the POS awards have reached Pepper.
      await waitFor(() => {
        for (let i = 0; i < REDEMPTIONS; i++) {
          const award = setup.pepper.awardsOf(users[ORDERS + i]).find((x) => x.perkId === WALLET_PERK);
          expect(award?.points.available ?? 0).toBeGreaterThanOrEqual(200);
        }
      }, 30_000, 200);
      for (let i = 0; i < REDEMPTIONS; i++) {
        const award = setup.pepper.awardsOf(users[ORDERS + i]).find((x) => x.perkId === WALLET_PERK)!;
        setup.pepper.redeemAward(users[ORDERS + i], award._id, 50);
      }

      const target = invariantTarget(setup, b);
      await waitFor(async () => {
        expect(setup.crm.purchases().length).toBeGreaterThanOrEqual(ORDERS);
        expect(await pendingEvents(setup.databasePath)).toEqual([]);
      }, 60_000, 250);
      expect(violationsOf(await checkInvariants(target), INVARIANTS.purchaseDuplicate)).toEqual([]);
      await waitFor(async () => expect(await checkInvariants(target)).toEqual([]), 30_000, 250);
      const references = setup.crm.purchases().map((p) => p.referenceNumber);
      expect(new Set(references).size).toBe(ORDERS);
      expect(references).toHaveLength(ORDERS);

      // The split: which instance processed each event (claimedBy stays on a settled event).
      const split = await queryDb<{ claimedBy: string | null; source: string; n: number }>(
        setup.databasePath,
        "SELECT claimedBy, source, COUNT(*) AS n FROM inbound_event WHERE state IN ('DONE', 'SKIPPED') GROUP BY claimedBy, source",
      );
      const by = (id: string) => split.filter((r) => r.claimedBy === id).reduce((sum, r) => sum + Number(r.n), 0);
      const report = {
        purchasesAtKill: atKill,
        eventsByInstance: { A: by(idA), B: by(idB) },
        split,
        heldByAAtKill: heldByA.map((l) => l.name),
        claimedByAAtKill: claimedByA.length,
        takeoverMs: takeovers,
        finishedMs: finished,
      };
      process.stdout.write(`multi-instance report: ${JSON.stringify(report)}\n`);
      expect(by(idA)).toBeGreaterThan(0);
      expect(by(idB)).toBeGreaterThan(0);
      for (const ms of Object.values(takeovers)) expect(ms).toBeLessThan(CHILD_LEASE_TTL_SECONDS * 1000 + 4_000);
    } finally {
      for (const child of children) await child.kill('SIGKILL');
      await setup.close();
    }
  }, 180_000);
});
