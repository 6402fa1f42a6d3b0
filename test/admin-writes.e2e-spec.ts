import { SkewClock } from './support/chaos/chaos-harness';
import { Harness, startHarness } from './support/harness';
import { LOYALTY_ENV, settle, WALLET_PERK } from './support/loyalty';

const WRITE_FIELDS = ['id', 'idempotencyKey', 'target', 'kind', 'pepperUserId', 'points', 'amountMinor', 'state', 'sentAt', 'upstreamId', 'error', 'settledBy'];

describe('admin: writes in doubt and bulk retry (e2e)', () => {
  let h: Harness;
  let clock: SkewClock;
  const users: string[] = [];

  beforeAll(async () => {
    clock = new SkewClock();
    h = await startHarness({
      clock,
      // A long settle delay: only an operator can settle these writes within the test.
      env: { ...LOYALTY_ENV, HTTP_TIMEOUT_MS: '300', WRITE_SETTLE_SECONDS: '600' },
      seed: (pepper) => {
        pepper.addPerk({ id: WALLET_PERK, title: 'Wallet', template: 'PSEUDO_CURRENCY' });
        for (let i = 0; i < 3; i++) users.push(pepper.addUser({ firstName: `W${i}`, lastName: 'Writes', email: `writes${i}@demo.example` }, { emitAction: false }).id);
      },
    });
    await settle(h, 1);
    h.pepper.completeOrder(users[2], { orderId: 'warm-up', total: '1.00', items: [] });
    await settle(h, 1);
  });
  afterAll(() => h.close());

  const purchasesOf = (orderId: string) => h.crm.purchases().filter((p) => p.referenceNumber?.endsWith(`:order:${orderId}`));
  const purchasePosts = () => h.crm.requests.filter((r) => r.method === 'POST' && r.path === '/purchases').length;
  const inDoubt = async () => (await h.admin.get('/admin/writes?state=unknown').expect(200)).body.items as Array<Record<string, unknown>>;

  it('lists a write in doubt; an operator settles it as not happened and the waiting order is sent by itself', async () => {
    h.crm.faults.add({ method: 'POST', path: /^\/purchases$/, times: 1, fault: { kind: 'hang' } });
    h.pepper.completeOrder(users[0], { orderId: 'doubt-1', total: '10.00', items: [] });
    await settle(h, 1);
    h.crm.faults.releaseHanging();
    const postsBefore = purchasePosts();

    const items = await inDoubt();
    expect(items).toEqual([
      expect.objectContaining({ target: 'crmcom', kind: 'PURCHASE', pepperUserId: users[0], amountMinor: 1000, state: 'UNKNOWN', upstreamId: null, settledBy: null }),
    ]);
    expect(Object.keys(items[0]).sort()).toEqual([...WRITE_FIELDS].sort());
    expect((await h.admin.get('/admin/writes?state=UNKNOWN&target=pepper').expect(200)).body.items).toEqual([]);
    expect((await h.admin.get('/admin/status').expect(200)).body.writes).toEqual({ inDoubt: 0, byTarget: { pepper: 0, crmcom: 0 } }); // still young

    clock.advance(61_000);
    expect((await h.admin.get('/admin/status').expect(200)).body.writes).toEqual({ inDoubt: 1, byTarget: { pepper: 0, crmcom: 1 } });
    await settle(h, 1);
    expect(purchasePosts()).toBe(postsBefore); // still in doubt (settle delay 600 s): not resent

    const { body } = await h.admin.post(`/admin/writes/${items[0].id}/settle`, { outcome: 'did-not-happen', actor: 'ops@merchant' }).expect(200);
    expect(body).toMatchObject({ write: { id: items[0].id, state: 'FAILED', settledBy: 'ops@merchant' }, requeuedEvents: 1 });
    await settle(h, 1);
    expect(purchasesOf('doubt-1')).toHaveLength(1);
    expect(purchasePosts()).toBe(postsBefore + 1);
    expect((await h.admin.get('/admin/status').expect(200)).body.writes.inDoubt).toBe(0);
  });

  it('a write the read-back cannot settle is parked; settled as happened by an operator and bulk-retried, it is never sent again', async () => {
    h.crm.ignoredFilters.add('reference_number');
    h.crm.faults.add({ method: 'POST', path: /^\/purchases$/, times: 1, fault: { kind: 'lateAnswer', ms: 700 } });
    h.pepper.completeOrder(users[1], { orderId: 'doubt-2', total: '7.00', items: [] });
    await settle(h, 1);
    const postsBefore = purchasePosts();

    const parked = (await h.admin.get('/admin/failed-events').expect(200)).body.items;
    expect(parked).toEqual([expect.objectContaining({ type: 'ORDER_COMPLETED', pepperUserId: users[1], lastError: expect.stringMatching(/in doubt.*\/admin\/writes\/\d+\/settle/) })]);
    const [write] = (await h.admin.get('/admin/writes?state=UNKNOWN&target=CRMCOM').expect(200)).body.items;
    expect(write).toMatchObject({ kind: 'PURCHASE', pepperUserId: users[1], error: expect.stringContaining('read-back cannot tell') });

    const purchaseId = purchasesOf('doubt-2')[0].id;
    await h.admin.post(`/admin/writes/${write.id}/settle`, { outcome: 'happened', upstreamId: purchaseId, actor: 'ops@merchant' }).expect(200);
    await h.admin.post(`/admin/writes/${write.id}/settle`, { outcome: 'happened', actor: 'ops@merchant' }).expect(409);
    h.crm.ignoredFilters.clear();

    const dry = await h.admin.post('/admin/failed-events/retry', { type: 'ORDER_COMPLETED', reason: 'IN DOUBT' }).expect(200);
    expect(dry.body).toEqual({ matched: 1, requeued: 0, dryRun: true });
    expect((await h.admin.post('/admin/failed-events/retry', { type: 'USER_SYNC', reason: 'in doubt', dryRun: false }).expect(200)).body).toEqual({
      matched: 0,
      requeued: 0,
      dryRun: false,
    });
    const real = await h.admin.post('/admin/failed-events/retry', { type: 'ORDER_COMPLETED', reason: 'in doubt', dryRun: false }).expect(200);
    expect(real.body).toEqual({ matched: 1, requeued: 1, dryRun: false });
    await settle(h, 1);

    expect(purchasesOf('doubt-2')).toHaveLength(1);
    expect(purchasePosts()).toBe(postsBefore);
    expect((await h.admin.get('/admin/failed-events').expect(200)).body.items).toEqual([]);
    expect((await h.admin.get(`/admin/writes?state=done&target=crmcom`).expect(200)).body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: write.id, upstreamId: purchaseId, settledBy: 'ops@merchant' })]),
    );
  });

  it('pages the writes list', async () => {
    const first = await h.admin.get('/admin/writes?limit=2').expect(200);
    expect(first.body.items).toHaveLength(2);
    const second = await h.admin.get(`/admin/writes?limit=2&cursor=${first.body.nextCursor}`).expect(200);
    expect(second.body.items[0].id).toBeGreaterThan(first.body.items[1].id);
  });

  it('answers 404, 409 and 400 naming the field', async () => {
    await h.admin.post('/admin/writes/99999/settle', { outcome: 'happened', actor: 'ops' }).expect(404);
    const done = (await h.admin.get('/admin/writes?state=DONE').expect(200)).body.items[0];
    expect((await h.admin.post(`/admin/writes/${done.id}/settle`, { outcome: 'did-not-happen', actor: 'ops' }).expect(409)).body.message).toContain('DONE');
    const bad = async (path: string, body: object, field: string) =>
      expect(JSON.stringify((await h.admin.post(path, body).expect(400)).body.message)).toContain(field);
    await bad(`/admin/writes/${done.id}/settle`, { outcome: 'maybe', actor: 'ops' }, 'outcome');
    await bad(`/admin/writes/${done.id}/settle`, { outcome: 'happened' }, 'actor');
    await bad(`/admin/writes/${done.id}/settle`, { outcome: 'did-not-happen', upstreamId: 'x', actor: 'ops' }, 'upstreamId');
    await bad('/admin/writes/abc/settle', { outcome: 'happened', actor: 'ops' }, 'id');
    await bad('/admin/failed-events/retry', { dryRun: 'yes' }, 'dryRun');
    await bad('/admin/failed-events/retry', { reason: 42 }, 'reason');
    expect(JSON.stringify((await h.admin.get('/admin/writes?state=SOMETIMES').expect(400)).body.message)).toContain('state');
    expect(JSON.stringify((await h.admin.get('/admin/writes?target=erp').expect(400)).body.message)).toContain('target');
  });
});
