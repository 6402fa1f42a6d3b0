import { pepperPoints, settle, WALLET_PERK } from '../support/loyalty';
import { addUsers, ORDER_ITEMS, orderRef, settleUntilClean, startChaosHarness } from '../support/chaos/chaos-harness';
import type { StampedRequest } from '../support/chaos/instrument';
import { checkInvariants } from '../support/chaos/invariants';

const REWARD = { rewardOffers: [{ name: '10% back', percent: 10 }] };

/** Wall-clock gaps between consecutive requests of one route, in ms. */
function gaps(requests: StampedRequest[], method: string, path: RegExp, count: number): number[] {
  const hits = requests.filter((r) => r.method === method && path.test(r.path)).slice(0, count);
  return hits.slice(1).map((r, i) => (r.at as number) - (hits[i].at as number));
}

describe('chaos: transient upstream failures (e2e)', () => {
  it('with 20% of all calls answering 503 on both sides, every order, movement and balance still lands exactly once', async () => {
    let users: string[] = [];
    let eve = '';
    const h = await startChaosHarness({
      crm: REWARD,
      seed: (pepper, crm) => {
        users = addUsers(pepper, 'Flaky', 6);
        crm.addContact({ firstName: 'Eve', lastName: 'Flaky', email: 'eve.flaky@chaos.example', balance: '5.00' });
        eve = pepper.addUser({ firstName: 'Eve', lastName: 'Flaky', email: 'eve.flaky@chaos.example' }, { emitAction: false }).id;
      },
    });
    try {
      await settle(h);
      expect(await checkInvariants(h)).toEqual([]);
      expect(pepperPoints(h, eve)).toBe(500);

      // one call in five answers 503, on both sides: a steady 20 % (a random 20 % of CRM.COM's fewer calls could come to 4)
      h.pepper.faults.add({ every: 5, fault: { kind: 'status', status: 503 } });
      h.crm.faults.add({ every: 5, fault: { kind: 'status', status: 503 } });

      // Batch 1: orders, and a customer who changes their name while the upstreams are flaky.
      h.pepper.updateUser(users[5], { lastName: 'Renamed' });
      for (let i = 0; i < 24; i++) h.pepper.completeOrder(users[i % users.length], { orderId: `flaky-${i}`, total: '12.50', items: ORDER_ITEMS });
      let outcome = await settleUntilClean(h, { maxRounds: 15 });
      expect(outcome).toMatchObject({ pending: 0, violations: [] });

      // Batch 2: movements on both sides at once.
      for (const user of users.slice(0, 3)) {
        const award = h.pepper.awardsOf(user).find((a) => a.perkId === WALLET_PERK)!;
        h.pepper.redeemAward(user, award._id, 75);
      }
      h.crm.posAward(h.crm.findContactByCode(users[3])!.id, '2.00');
      h.crm.posSpend(h.crm.findContactByCode(users[4])!.id, '1.00');
      const eveContact = (await h.admin.get(`/admin/links?pepperUserId=${eve}`).expect(200)).body.items[0].crmContactId;
      h.crm.posSpend(eveContact, '0.50');
      for (let i = 24; i < 30; i++) h.pepper.completeOrder(users[i % users.length], { orderId: `flaky-${i}`, total: '3.00', items: [] });
      outcome = await settleUntilClean(h, { maxRounds: 15 });

      expect(h.pepper.faults.injectedCount).toBeGreaterThan(5);
      expect(h.crm.faults.injectedCount).toBeGreaterThan(5);
      expect(outcome).toMatchObject({ pending: 0 });
      expect(await checkInvariants(h)).toEqual([]);
      const references = h.crm.purchases().map((p) => p.referenceNumber);
      expect(references).toHaveLength(30);
      expect(new Set(references).size).toBe(30);
      expect(references).toEqual(expect.arrayContaining([orderRef(h.config, 'flaky-0'), orderRef(h.config, 'flaky-29')]));
      expect(h.crm.findContactByCode(users[5])?.lastName).toBe('Renamed');
      expect(pepperPoints(h, eve)).toBe(450);
    } finally {
      await h.close();
    }
  });

  it('429 bursts with Retry-After on both sides are waited out (never hammered) and lose nothing', async () => {
    let users: string[] = [];
    // One user at a time, so consecutive calls of a kind are one call and its retry (users are worked in parallel otherwise).
    const h = await startChaosHarness({ crm: REWARD, env: { SYNC_CONCURRENCY: '1' }, seed: (pepper) => (users = addUsers(pepper, 'Busy', 3)) });
    try {
      await settle(h);
      const rateLimited = { kind: 'status' as const, status: 429, retryAfterSeconds: 1, body: { message: 'Too many requests' } };
      h.pepper.faults.add({ method: 'GET', path: /^\/actions$/, times: 2, fault: rateLimited });
      h.pepper.faults.add({ method: 'POST', path: /^\/pointperks\/[^/]+\/awards$/, times: 1, fault: rateLimited });
      h.crm.faults.add({ method: 'POST', path: /^\/purchases$/, times: 2, fault: rateLimited });
      h.crm.faults.add({ method: 'GET', path: /^\/journals$/, times: 1, fault: rateLimited });
      const pepperFrom = h.pepper.requests.length;
      const crmFrom = h.crm.requests.length;

      for (let i = 0; i < 6; i++) h.pepper.completeOrder(users[i % 3], { orderId: `busy-${i}`, total: '10.00', items: [] });
      await settle(h);

      // Each 429 was followed by a wait of about Retry-After (1 s) before the same call was tried again.
      const pepperRequests = h.pepper.requests.slice(pepperFrom) as StampedRequest[];
      const crmRequests = h.crm.requests.slice(crmFrom) as StampedRequest[];
      for (const gap of [
        ...gaps(pepperRequests, 'GET', /^\/actions$/, 3),
        ...gaps(pepperRequests, 'POST', /^\/pointperks\/[^/]+\/awards$/, 2),
        ...gaps(crmRequests, 'POST', /^\/purchases$/, 3),
        ...gaps(crmRequests, 'GET', /^\/journals$/, 2),
      ]) {
        expect(gap).toBeGreaterThanOrEqual(950);
      }
      expect(h.pepper.faults.injectedCount + h.crm.faults.injectedCount).toBe(6);
      expect((await h.admin.get('/admin/failed-events').expect(200)).body.items).toEqual([]);
      expect(h.crm.purchases()).toHaveLength(6);
      expect(pepperPoints(h, users[0])).toBe(200);
      expect(await checkInvariants(h)).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('a grant answered 503 (so not applied) is re-sent: the echo of the next grant of the same size does not settle it', async () => {
    let user = '';
    const h = await startChaosHarness({ crm: REWARD, seed: (pepper) => ([user] = addUsers(pepper, 'Echo', 1)) });
    try {
      await settle(h);
      // Two orders → two reward awards of 1.25 → two grants of 125 points. Pepper refuses the first with a 503.
      h.pepper.faults.add({ method: 'POST', path: /^\/pointperks\/[^/]+\/awards$/, times: 1, fault: { kind: 'status', status: 503 } });
      h.pepper.completeOrder(user, { orderId: 'echo-1', total: '12.50', items: [] });
      h.pepper.completeOrder(user, { orderId: 'echo-2', total: '12.50', items: [] });
      await settleUntilClean(h, { maxRounds: 6 });
      expect(h.pepper.faults.injectedCount).toBe(1);
      expect(h.crm.walletBalanceMinor(h.crm.findContactByCode(user)!.id)).toBe(250);
      expect(pepperPoints(h, user)).toBe(250);
      expect(await checkInvariants(h)).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
