import { pepperPoints, settle, WALLET_PERK } from '../support/loyalty';
import { addUsers, ORDER_ITEMS, orderRef, settleUntilClean, startChaosHarness } from '../support/chaos/chaos-harness';
import { queryDb } from '../support/chaos/db';
import { checkInvariants } from '../support/chaos/invariants';

const REWARD = { rewardOffers: [{ name: '10% back', percent: 10 }] };
const purchasePosts = (h: { crm: { requests: Array<{ method: string; path: string }> } }) =>
  h.crm.requests.filter((r) => r.method === 'POST' && r.path === '/purchases').length;

describe('chaos: hanging calls, unreadable answers, expiring tokens (e2e)', () => {
  it('calls that hang past HTTP_TIMEOUT_MS — reads and writes — are settled without a second purchase, journal or grant', async () => {
    let users: string[] = [];
    const h = await startChaosHarness({
      env: { HTTP_TIMEOUT_MS: '500', PEPPER_WALLET_EARNING: 'credit' },
      crm: REWARD,
      seed: (pepper) => (users = addUsers(pepper, 'Slow', 3)),
    });
    try {
      await settle(h);
      for (let i = 0; i < 3; i++) h.pepper.completeOrder(users[i], { orderId: `warmup-${i}`, total: '10.00', items: [] });
      await settle(h);
      expect(await checkInvariants(h)).toEqual([]);

      // Reads: the actions list and a read-back hang once each (retried). Writes: the first purchase hangs (never
      // processed), the second is made but answered after the timeout (a lost answer), a journal hangs, and a Pepper
      // grant is made but answered late. None may be sent twice on a guess.
      h.pepper.faults.add({ method: 'GET', path: /^\/actions$/, times: 1, fault: { kind: 'hang' } });
      h.crm.faults.add({ method: 'POST', path: /^\/purchases$/, times: 1, fault: { kind: 'hang' } });
      h.crm.faults.add({ method: 'POST', path: /^\/purchases$/, times: 1, fault: { kind: 'lateAnswer', ms: 900 } });
      h.crm.faults.add({ method: 'GET', path: /^\/purchases$/, times: 1, fault: { kind: 'hang' } });
      h.crm.faults.add({ method: 'POST', path: /^\/contacts\/[^/]+\/journals$/, times: 1, fault: { kind: 'hang' } });
      h.pepper.faults.add({ method: 'POST', path: /^\/pointperks\/[^/]+\/awards$/, times: 1, fault: { kind: 'lateAnswer', ms: 900 } });
      const postsBefore = purchasePosts(h);

      for (let i = 0; i < 8; i++) h.pepper.completeOrder(users[i % 3], { orderId: `slow-${i}`, total: '12.50', items: ORDER_ITEMS });
      const award = h.pepper.awardsOf(users[0]).find((a) => a.perkId === WALLET_PERK)!;
      h.pepper.redeemAward(users[0], award._id, 40);
      h.pepper.refundAward(users[0], award._id, 15);
      h.pepper.grantAward(users[1], WALLET_PERK, 35); // a goodwill grant made in the app: a real movement, mirrored
      const outcome = await settleUntilClean(h, { maxRounds: 10 });

      expect(h.pepper.faults.injectedCount + h.crm.faults.injectedCount).toBe(6);
      expect(outcome.pending).toBe(0);
      expect(await checkInvariants(h)).toEqual([]);
      // 8 orders: one purchase was re-sent after the hung attempt proved absent; the late-answered one was read back.
      expect(purchasePosts(h) - postsBefore).toBe(9);
      const references = h.crm.purchases().map((p) => p.referenceNumber);
      expect(new Set(references).size).toBe(references.length);
      expect(references).toHaveLength(11);
      const unknownAttempts = await queryDb<{ state: string; error: string }>(
        h.config.databasePath,
        "SELECT state, error FROM outbound_write WHERE error LIKE '%TIMEOUT%' OR error LIKE '%timed out%' OR error LIKE '%timeout%'",
      );
      expect(unknownAttempts.length).toBeGreaterThanOrEqual(3);
      expect((await h.admin.get('/admin/failed-events').expect(200)).body.items).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('malformed JSON on the list calls fails the poll with a clear error, moves no cursor, writes nothing, and the next poll catches up', async () => {
    let users: string[] = [];
    const h = await startChaosHarness({ env: { HTTP_TIMEOUT_MS: '500' }, crm: REWARD, seed: (pepper) => (users = addUsers(pepper, 'Garbled', 2)) });
    try {
      await settle(h);
      const cursors = async () =>
        Object.fromEntries((await queryDb<{ feed: string; cursor: string }>(h.config.databasePath, 'SELECT feed, cursor FROM sync_state')).map((r) => [r.feed, r.cursor]));
      h.pepper.completeOrder(users[0], { orderId: 'garbled-1', total: '10.00', items: [] });
      h.crm.posAward(h.crm.findContactByCode(users[1])!.id, '1.00');
      h.pepper.faults.add({ method: 'GET', path: /^\/actions$/, times: 1, fault: { kind: 'malformed' } });
      h.crm.faults.add({ method: 'GET', path: /^\/journals$/, times: 1, fault: { kind: 'malformed' } });
      const before = await cursors();
      const writesBefore = h.crm.requests.filter((r) => r.method === 'POST').length + h.pepper.requests.filter((r) => r.method === 'POST').length;

      await settle(h, 1);
      expect(await cursors()).toEqual(before);
      expect(h.crm.requests.filter((r) => r.method === 'POST').length + h.pepper.requests.filter((r) => r.method === 'POST').length).toBe(writesBefore);
      const status = (await h.admin.get('/admin/status').expect(200)).body;
      expect(status.jobs['actions-poll']).toMatchObject({ state: 'FAILED', error: expect.stringMatching(/Pepper GET \/actions.*(JSON|invalid|unreadable)/i) });
      expect(status.jobs['journals-poll']).toMatchObject({ state: 'FAILED', error: expect.stringMatching(/CRM\.COM GET \/journals.*(JSON|invalid|unreadable)/i) });
      await h.admin.get('/health').expect(200);
      // The next polls catch up: the order becomes a purchase, the CRM.COM award reaches Pepper.
      await settle(h);
      expect(h.crm.purchases().filter((p) => p.referenceNumber === orderRef(h.config, 'garbled-1'))).toHaveLength(1);
      expect(pepperPoints(h, users[1])).toBe(100);
      expect(await checkInvariants(h)).toEqual([]);

      // A read-back that answers garbage cannot prove absence: the purchase in doubt is parked, never re-sent blindly.
      h.crm.faults.add({ method: 'POST', path: /^\/purchases$/, times: 1, fault: { kind: 'lateAnswer', ms: 900 } });
      h.crm.faults.add({ method: 'GET', path: /^\/purchases$/, times: 1, fault: { kind: 'malformed' } });
      h.pepper.completeOrder(users[1], { orderId: 'garbled-2', total: '10.00', items: [] });
      await settleUntilClean(h, { maxRounds: 3 });
      const parked = (await h.admin.get('/admin/failed-events').expect(200)).body.items;
      const doubt = h.pepper.actions().find((a) => a.metadata.orderId === 'garbled-2')!;
      expect(parked).toEqual([expect.objectContaining({ externalId: doubt._id, lastError: expect.any(String) })]);
      expect(h.crm.purchases().filter((p) => p.referenceNumber === orderRef(h.config, 'garbled-2'))).toHaveLength(1);
      // The operator's retry settles it by reading back: still one purchase.
      const retried = await h.admin.post(`/admin/failed-events/${parked[0].id}/retry`).expect(200);
      expect(JSON.stringify(retried.body)).toContain('DONE');
      await settle(h);
      expect(h.crm.purchases().filter((p) => p.referenceNumber === orderRef(h.config, 'garbled-2'))).toHaveLength(1);
      expect(await checkInvariants(h)).toEqual([]);
      expect(pepperPoints(h, users[0])).toBe(100);
      expect(pepperPoints(h, users[1])).toBe(200);
    } finally {
      await h.close();
    }
  });

  it('CRM.COM access tokens expiring between batches (JWT mode) are renewed: nothing fails, nothing is lost', async () => {
    let users: string[] = [];
    const h = await startChaosHarness({
      env: { CRMCOM_USERNAME: 'ops@chaos.example', CRMCOM_PASSWORD: 'chaos-crm-password-42' },
      crm: { ...REWARD, users: [{ username: 'ops@chaos.example', password: 'chaos-crm-password-42' }] },
      seed: (pepper) => (users = addUsers(pepper, 'Jwt', 3)),
    });
    try {
      await settle(h);
      const authsAtStart = h.crm.authCount;
      for (let batch = 0; batch < 3; batch++) {
        h.crm.expireAllTokens();
        for (let i = 0; i < 4; i++) h.pepper.completeOrder(users[i % 3], { orderId: `jwt-${batch}-${i}`, total: '5.00', items: [] });
        h.crm.posAward(h.crm.findContactByCode(users[batch])!.id, '0.40');
        await settle(h);
        expect(await checkInvariants(h)).toEqual([]);
      }
      expect(h.crm.authCount - authsAtStart).toBeGreaterThanOrEqual(3);
      const status = (await h.admin.get('/admin/status').expect(200)).body;
      for (const job of ['actions-poll', 'journals-poll']) expect(status.jobs[job]).toMatchObject({ state: 'DONE', error: null });
      expect(status.totals.failedEvents).toBe(0);
      expect(h.crm.purchases()).toHaveLength(12);
      const runs = await queryDb<{ state: string }>(h.config.databasePath, "SELECT state FROM sync_run WHERE state = 'FAILED'");
      expect(runs).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
