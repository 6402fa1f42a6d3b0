import request from 'supertest';
import { ADMIN_TOKEN } from '../support/harness';
import { settle, WALLET_PERK } from '../support/loyalty';
import { addUsers, ChaosHarness, orderRef, startChaosHarness } from '../support/chaos/chaos-harness';
import { inboundEvents } from '../support/chaos/db';
import { checkInvariants } from '../support/chaos/invariants';

const crmWrites = (h: ChaosHarness) => h.crm.requests.filter((r) => r.method !== 'GET' && !r.path.startsWith('/users/')).length;
const writesTo = (h: ChaosHarness) => crmWrites(h) + h.pepper.requests.filter((r) => r.method !== 'GET').length;
const messageOf = (body: { message?: unknown }) => (Array.isArray(body.message) ? body.message.join('; ') : String(body.message));

describe('chaos: hostile input (e2e)', () => {
  let h: ChaosHarness;
  let users: string[] = [];
  let contactId = '';

  beforeAll(async () => {
    h = await startChaosHarness({ crm: { rewardOffers: [{ name: '10% back', percent: 10 }] }, seed: (pepper) => (users = addUsers(pepper, 'Hostile', 2)) });
    await settle(h);
    h.pepper.completeOrder(users[0], { orderId: 'hostile-warmup', total: '20.00', items: [] });
    await settle(h);
    contactId = h.crm.findContactByCode(users[0])!.id;
  });
  afterAll(() => h.close());

  describe('from Pepper', () => {
    it('wrong types, a missing _id, a 100 kB field and bad amounts are parked with a reason: no crash, no write', async () => {
      const award = h.pepper.awardsOf(users[0]).find((a) => a.perkId === WALLET_PERK)!;
      const order = (metadata: Record<string, unknown>, rawOverride?: Record<string, unknown>) =>
        h.pepper.emitAction({ type: 'ORDER_COMPLETED', userId: users[0], metadata: { currency: 'EUR', items: [], ...metadata }, rawOverride });
      const hostile = {
        wrongWhen: order({ orderId: 'h-when', total: '1.00' }, { when: 'yesterday' }),
        wrongContext: order({ orderId: 'h-context', total: '1.00' }, { context: ['not', 'an', 'object'] }),
        objectOrderId: order({ orderId: { $ne: null }, total: '1.00' }),
        arrayTotal: order({ orderId: 'h-array-total', total: [1, 2] }),
        hugeOrderId: order({ orderId: 'x'.repeat(100_000), total: '1.00' }),
        negative: order({ orderId: 'h-negative', total: '-5.00' }),
        notANumber: order({ orderId: 'h-nan', total: 'twelve' }),
        tooPrecise: order({ orderId: 'h-precise', total: '1.001' }),
        negativeRedeem: h.pepper.emitAction({
          type: 'REDEEM_PERK',
          userId: users[0],
          metadata: { awardId: award._id, perkId: WALLET_PERK, pointsRedeemed: -500, pointsAvailable: 700 },
        }),
        textRedeem: h.pepper.emitAction({
          type: 'REDEEM_PERK',
          userId: users[0],
          metadata: { awardId: award._id, perkId: WALLET_PERK, pointsRedeemed: '50', pointsAvailable: 150 },
        }),
      };
      const noId = order({ orderId: 'h-no-id', total: '1.00', marker: 'no-id-marker' }, { _id: undefined });
      const hugeNote = order({ orderId: 'h-huge-note', total: '2.00', note: 'y'.repeat(100_000) });
      const crmWritesBefore = crmWrites(h);
      const purchasesBefore = h.crm.purchases().length;

      await settle(h);
      await h.admin.get('/health').expect(200);
      const status = (await h.admin.get('/admin/status').expect(200)).body;
      expect(status.jobs['actions-poll']).toMatchObject({ state: 'DONE' });

      const failed = (await h.admin.get('/admin/failed-events?limit=500').expect(200)).body.items as Array<{ externalId: string; lastError: string }>;
      for (const [name, action] of Object.entries(hostile)) {
        const parked = failed.find((f) => f.externalId === action._id);
        expect({ name, parked: Boolean(parked), reason: parked?.lastError ?? null }).toEqual({ name, parked: true, reason: expect.stringMatching(/\w{6,}/) });
        expect(parked!.lastError.length).toBeLessThanOrEqual(1_000);
      }
      expect(failed.find((f) => f.externalId === hostile.hugeOrderId._id)!.lastError).toMatch(/orderId/);
      expect(failed.find((f) => f.externalId === hostile.negative._id)!.lastError).toMatch(/negative|total/);
      expect(failed.find((f) => f.externalId === hostile.notANumber._id)!.lastError).toMatch(/total/);
      // Without an _id the action cannot be named: it is parked under a digest of its content, with the reason.
      expect(noId._id).toBeUndefined();
      expect(failed).toEqual(expect.arrayContaining([expect.objectContaining({ externalId: expect.stringMatching(/^invalid:/), lastError: expect.stringMatching(/_id/) })]));
      // A large but irrelevant field does not stop a readable order.
      expect(h.crm.purchases().filter((p) => p.referenceNumber === orderRef(h.config, 'h-huge-note'))).toHaveLength(1);
      // The only write to CRM.COM is the readable order's purchase (its reward then reaches Pepper as usual).
      expect(crmWrites(h) - crmWritesBefore).toBe(1);
      expect(h.crm.purchases().length - purchasesBefore).toBe(1);
      expect(JSON.stringify((await h.admin.get('/admin/failed-events?limit=500').expect(200)).body).length).toBeLessThan(100_000);

      // The feed is not blocked: a good order afterwards still flows.
      h.pepper.completeOrder(users[1], { orderId: 'after-hostile', total: '3.00', items: [] });
      await settle(h);
      expect(h.crm.purchases().filter((p) => p.referenceNumber === orderRef(h.config, 'after-hostile'))).toHaveLength(1);
      expect(await checkInvariants(h)).toEqual([]);
    });

    it('an action type the connector does not know (Pepper ignoring the type filter) is skipped, with no write', async () => {
      await settle(h);
      const now = h.clock.now().toISOString();
      const unknown = {
        _id: 'act_unknown_type_1',
        type: 'LOYALTY_TIER_CHANGED',
        tenantId: 'ten_x',
        when: { timestamp: now },
        context: { user: { _id: users[0] } },
        metadata: { tier: 'GOLD', total: '-99' },
      };
      h.pepper.faults.add({ method: 'GET', path: /^\/actions$/, times: 1, fault: { kind: 'status', status: 200, body: { items: [unknown], page: {} } } });
      const writesBefore = writesTo(h);
      await settle(h, 1);
      const event = (await inboundEvents(h.config.databasePath, 'pepper')).find((e) => e.externalId === unknown._id);
      expect(event).toMatchObject({ state: 'SKIPPED' });
      expect(writesTo(h)).toBe(writesBefore);
      await h.admin.get('/health').expect(200);
    });
  });

  describe('from CRM.COM', () => {
    it('journals with a negative or non-numeric amount, an unknown type or no id are skipped or parked: no Pepper write', async () => {
      await settle(h);
      const postedOn = Math.floor(h.clock.nowMs() / 1000);
      const walletId = h.crm.getContact(contactId)!.walletId;
      const journal = (id: string | undefined, fields: Record<string, unknown>) => ({
        ...(id === undefined ? {} : { id }),
        type: 'CREDIT',
        transaction_type: 'AWARD',
        amount: 1,
        currency: 'EUR',
        posted_on: postedOn,
        contact: { id: contactId },
        wallet: { id: walletId },
        reference_number: null,
        ...fields,
      });
      const content = [
        journal('jrn-negative', { amount: -5 }),
        journal('jrn-text', { amount: 'lots' }),
        journal('jrn-huge', { amount: '9'.repeat(400) }),
        journal('jrn-type', { type: 'REFUND' }),
        journal(undefined, { notes: 'no id' }),
        journal('jrn-stranger', { contact: { id: 'contact-of-nobody' } }),
      ];
      h.crm.faults.add({ method: 'GET', path: /^\/journals$/, times: 1, fault: { kind: 'status', status: 200, body: { content, paging: { has_more: false } } } });
      const pepperWritesBefore = h.pepper.requests.filter((r) => r.method !== 'GET').length;
      const pointsBefore = h.pepper.awardsOf(users[0]).map((a) => a.points.available);

      await settle(h, 1);
      await h.admin.get('/health').expect(200);
      expect(h.pepper.requests.filter((r) => r.method !== 'GET').length).toBe(pepperWritesBefore);
      expect(h.pepper.awardsOf(users[0]).map((a) => a.points.available)).toEqual(pointsBefore);
      const events = await inboundEvents(h.config.databasePath, 'crmcom');
      const stateOf = (id: string) => events.find((e) => e.externalId === id)?.state;
      expect({
        negative: stateOf('jrn-negative'),
        text: stateOf('jrn-text'),
        huge: stateOf('jrn-huge'),
        type: stateOf('jrn-type'),
        stranger: stateOf('jrn-stranger'),
      }).toEqual({ negative: 'FAILED', text: 'FAILED', huge: 'FAILED', type: 'FAILED', stranger: 'SKIPPED' });
      const failed = (await h.admin.get('/admin/failed-events?source=crmcom').expect(200)).body.items as Array<{ externalId: string; lastError: string }>;
      // a CREDIT with a negative amount is ambiguous (a reversal? a debit?): parked loudly, never applied or dropped
      expect(failed.find((f) => f.externalId === 'jrn-negative')!.lastError).toMatch(/negative/);
      expect(failed.find((f) => f.externalId === 'jrn-text')!.lastError).toMatch(/amount/);
      expect(failed.find((f) => f.externalId === 'jrn-type')!.lastError).toMatch(/type/);
      expect(failed.some((f) => f.externalId.startsWith('invalid:') && /id/.test(f.lastError))).toBe(true);
      expect(await checkInvariants(h)).toEqual([]);
    });
  });

  describe('admin API inputs', () => {
    const cases: Array<[string, () => Promise<{ status: number; body: { message?: unknown } }>, number, RegExp]> = [
      ['unknown resync scope', () => h.admin.post('/admin/resync', { scope: 'everything' }), 400, /scope/],
      ['since that is not a date', () => h.admin.post('/admin/resync', { scope: 'all', since: 'last tuesday' }), 400, /since/],
      ['dryRun that is not a boolean', () => h.admin.post('/admin/resync', { scope: 'awards', dryRun: 'nope' }), 400, /dryRun/],
      ['an unknown body field', () => h.admin.post('/admin/resync', { scope: 'users', drop: 'tables' }), 400, /drop/],
      ['an actor of 10 kB', () => h.admin.post('/admin/resync', { scope: 'users', actor: 'a'.repeat(10_000) }), 400, /actor/],
      ['a body over 32 kB', () => h.admin.post('/admin/resync', { scope: 'users', actor: 'a'.repeat(40_000) }), 413, /large|limit|size/i],
      ['a conflict id that is not a number', () => h.admin.post('/admin/conflicts/abc/resolve', { action: 'ignore' }), 400, /id/],
      ['a conflict that does not exist', () => h.admin.post('/admin/conflicts/999999/resolve', { action: 'ignore' }), 404, /999999/],
      ['an unknown resolve action', () => h.admin.post('/admin/conflicts/1/resolve', { action: 'explode' }), 400, /action/],
      ['a failed-event id that is not a number', () => h.admin.post('/admin/failed-events/1;DROP/retry'), 400, /id/],
      ['a failed event that does not exist', () => h.admin.post('/admin/failed-events/999999/retry'), 404, /999999/],
      ['a run id with forbidden characters', () => h.admin.get('/admin/runs/%27%20OR%201%3D1'), 400, /runId/],
      ['a run that does not exist', () => h.admin.get('/admin/runs/no-such-run'), 404, /no-such-run/],
      ['a user id of 300 characters', () => h.admin.post(`/admin/resync/users/${'u'.repeat(300)}`), 400, /pepperUserId/],
      ['limit 0', () => h.admin.get('/admin/links?limit=0'), 400, /limit/],
      ['limit 501', () => h.admin.get('/admin/conflicts?limit=501'), 400, /limit/],
      ['a cursor that is not a number', () => h.admin.get('/admin/failed-events?cursor=abc'), 400, /cursor/],
      ['an unknown link status', () => h.admin.get('/admin/links?status=HAPPY'), 400, /status/],
      ['an unknown failed-event source', () => h.admin.get('/admin/failed-events?source=mars'), 400, /source/],
    ];
    it.each(cases)('%s → a 4xx with a clear message', async (_name, call, status, message) => {
      const res = await call();
      expect({ status: res.status, message: messageOf(res.body) }).toEqual({ status, message: expect.stringMatching(message) });
      expect(res.body).toMatchObject({ statusCode: status });
    });

    it('a malformed JSON body → 400, not a crash', async () => {
      const res = await request(h.app.getHttpServer())
        .post('/admin/resync')
        .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
        .set('Content-Type', 'application/json')
        .send('{"scope": "users",');
      expect(res.status).toBe(400);
      expect(messageOf(res.body)).toMatch(/JSON|Unexpected|parse/i);
      await h.admin.get('/health').expect(200);
    });
  });
});
