import { waitFor } from '../support/harness';
import { pepperPoints, settle, WALLET_PERK } from '../support/loyalty';
import { addUsers, orderRef, startChaosHarness } from '../support/chaos/chaos-harness';
import { ChildConnector, invariantTarget, spawnConnector, startSimulatorsForChild, waitUntilLeaseExpired, waitUntilSeeded } from '../support/chaos/child-connector';
import { inboundEvents, pendingEvents, queryDb, writeDb } from '../support/chaos/db';
import { crmTokensSeen } from '../support/chaos/instrument';
import { checkInvariants, INVARIANTS, violationsOf } from '../support/chaos/invariants';
import { ADMIN_TOKEN, CRM_API_KEY, PEPPER_TOKEN } from '../support/harness';

const REWARD = { rewardOffers: [{ name: '10% back', percent: 10 }] };

describe('chaos: the process dies (e2e)', () => {
  it('SIGKILL in the middle of a batch of 40 orders, then a restart on the same database: 40 purchases, none twice', async () => {
    let users: string[] = [];
    const setup = await startSimulatorsForChild({ crm: REWARD, seed: (pepper) => (users = addUsers(pepper, 'Kill', 5)) });
    let child: ChildConnector | null = null;
    try {
      child = await spawnConnector(setup.env);
      const first = child;
      await waitUntilSeeded(first, { LINKED: 5 });

      setup.crm.faults.add({ method: 'POST', path: /^\/purchases$/, fault: { kind: 'delay', ms: 30 } });
      for (let i = 0; i < 40; i++) setup.pepper.completeOrder(users[i % 5], { orderId: `kill-${i}`, total: '12.00', items: [] });
      await waitFor(() => expect(setup.crm.purchases().length).toBeGreaterThanOrEqual(10), 30_000, 5);
      expect(await first.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
      const atKill = setup.crm.purchases().length;
      expect(atKill).toBeLessThan(40);

      // The killed process still holds the writer lease until its heartbeat is LEASE_TTL_SECONDS old.
      await waitUntilLeaseExpired(setup.databasePath);
      child = await spawnConnector(setup.env);
      const second = child;
      const target = invariantTarget(setup, second);
      await waitFor(async () => {
        expect(setup.crm.purchases().length).toBeGreaterThanOrEqual(40);
        expect(await pendingEvents(setup.databasePath)).toEqual([]);
      }, 60_000, 250);
      // Fail at once on a duplicate; give the last polls (rewards → Pepper) a few seconds to settle the rest.
      expect(violationsOf(await checkInvariants(target), INVARIANTS.purchaseDuplicate)).toEqual([]);
      await waitFor(async () => expect(await checkInvariants(target)).toEqual([]), 20_000, 250);

      const references = setup.crm.purchases().map((p) => p.referenceNumber);
      expect(references).toHaveLength(40);
      expect(new Set(references).size).toBe(40);
      const runs = await queryDb<{ state: string; error: string | null }>(setup.databasePath, "SELECT state, error FROM sync_run WHERE error LIKE '%process stopped%'");
      expect(runs.length).toBeGreaterThanOrEqual(1); // the killed run was found RUNNING at the restart and closed
      // Nothing secret in either process's output.
      const output = first.stdout() + first.stderr() + second.stdout() + second.stderr();
      for (const secret of [PEPPER_TOKEN, CRM_API_KEY, ADMIN_TOKEN, ...crmTokensSeen(setup.crm)]) expect(output).not.toContain(secret);
    } finally {
      await child?.kill('SIGKILL');
      await setup.close();
    }
  }, 150_000);

  it('a crash after a write is recorded DONE but before its event is marked DONE makes no second purchase and no second journal', async () => {
    let users: string[] = [];
    const h = await startChaosHarness({ crm: REWARD, seed: (pepper) => (users = addUsers(pepper, 'Window', 2)) });
    try {
      await settle(h);
      const order = h.pepper.completeOrder(users[0], { orderId: 'window-1', total: '10.00', items: [] });
      await settle(h);
      const award = h.pepper.awardsOf(users[0]).find((a) => a.perkId === WALLET_PERK)!;
      h.pepper.redeemAward(users[0], award._id, 50);
      const redeem = h.pepper.actions().at(-1)!;
      h.crm.posAward(h.crm.findContactByCode(users[1])!.id, '1.00');
      await settle(h);
      expect(await checkInvariants(h)).toEqual([]);
      const credit = (await inboundEvents(h.config.databasePath, 'crmcom')).find((e) => e.type === 'WALLET_CREDIT' && e.pepperUserId === users[1] && e.state === 'DONE')!;
      expect(pepperPoints(h, users[1])).toBe(100);

      // What a SIGKILL between "outbound_write DONE" and "inbound_event DONE" leaves on disk: the writes are recorded
      // as done, their events are still queued. (Each is a separate commit in the connector.)
      await h.idle();
      for (const externalId of [order._id, redeem._id, credit.externalId]) {
        await writeDb(h.config.databasePath, "UPDATE inbound_event SET state = 'PENDING', attempts = 0, lastError = NULL, nextAttemptAt = NULL WHERE externalId = ?", [externalId]);
      }
      await h.restart();
      await settle(h);

      expect({
        purchases: h.crm.purchases().filter((p) => p.referenceNumber === orderRef(h.config, 'window-1')).length,
        journals: h.crm.journals().filter((j) => j.referenceNumber === `pepper:${h.config.pepper.applicationId}:action:${redeem._id}`).length,
        grantedPoints: pepperPoints(h, users[1]),
      }).toEqual({ purchases: 1, journals: 1, grantedPoints: 100 });
      expect(await checkInvariants(h)).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
