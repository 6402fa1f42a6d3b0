import { SkewClock } from './support/chaos/chaos-harness';
import { Harness, startHarness, waitFor } from './support/harness';
import { LOYALTY_ENV, settle, WALLET_PERK } from './support/loyalty';

const SETTLE_SECONDS = 5;

describe('a slow CRM.COM write is never sent twice (e2e)', () => {
  let h: Harness;
  let clock: SkewClock;
  const users: string[] = [];

  beforeAll(async () => {
    clock = new SkewClock();
    h = await startHarness({
      clock,
      env: { ...LOYALTY_ENV, HTTP_TIMEOUT_MS: '300', WRITE_SETTLE_SECONDS: String(SETTLE_SECONDS) },
      seed: (pepper) => {
        pepper.addPerk({ id: WALLET_PERK, title: 'Wallet', template: 'PSEUDO_CURRENCY' });
        for (let i = 0; i < 5; i++) users.push(pepper.addUser({ firstName: `S${i}`, lastName: 'Slow', email: `slow${i}@demo.example` }, { emitAction: false }).id);
      },
    });
    await settle(h, 1);
  });
  afterAll(() => h.close());

  const purchasesOf = (prefix: string) => h.crm.purchases().filter((p) => p.referenceNumber?.includes(`:order:${prefix}`));
  const purchasePosts = () => h.crm.requests.filter((r) => r.method === 'POST' && r.path === '/purchases').length;

  it('5 orders whose POST /purchases are processed after the client timed out become exactly 5 purchases', async () => {
    h.crm.faults.add({ method: 'POST', path: /^\/purchases$/, times: 5, fault: { kind: 'processedLate', ms: 700 } });
    const postsBefore = purchasePosts();
    for (let i = 0; i < 5; i++) h.pepper.completeOrder(users[i], { orderId: `late-${i}`, total: '10.00', items: [] });
    await settle(h, 1);

    // Within the settle delay the events wait: nothing is sent again, however often the queue runs.
    await settle(h, 1);
    expect(purchasePosts() - postsBefore).toBe(5);
    const { body: inDoubt } = await h.admin.get('/admin/status').expect(200);
    expect(inDoubt.totals.events.PENDING).toBe(5);

    await waitFor(() => expect(purchasesOf('late-')).toHaveLength(5));
    clock.advance((SETTLE_SECONDS + 1) * 1000);
    await settle(h, 1);
    clock.advance(10 * 60_000); // any retry delay of a wrongly failed attempt has passed too
    await settle(h, 1);

    expect(purchasesOf('late-')).toHaveLength(5);
    expect(purchasePosts() - postsBefore).toBe(5);
    const { body } = await h.admin.get('/admin/status').expect(200);
    expect(body.totals.events.PENDING ?? 0).toBe(0);
    expect(body.totals.failedEvents).toBe(0);
  });

  it('a POST that never reached CRM.COM is sent again only once the settle delay has proved it absent', async () => {
    h.crm.faults.add({ method: 'POST', path: /^\/purchases$/, times: 1, fault: { kind: 'hang' } });
    const postsBefore = purchasePosts();
    h.pepper.completeOrder(users[0], { orderId: 'lost-0', total: '10.00', items: [] });
    await settle(h, 1);
    h.crm.faults.releaseHanging();
    clock.advance((SETTLE_SECONDS - 2) * 1000);
    await settle(h, 1);
    expect(purchasePosts() - postsBefore).toBe(1); // still in doubt: not resent

    clock.advance(3 * 1000);
    await settle(h, 1);
    expect(purchasesOf('lost-')).toHaveLength(1);
    expect(purchasePosts() - postsBefore).toBe(2);
  });
});

describe('a contact creation in doubt during the users seed (e2e)', () => {
  it('is not parked: the user is queued to sync again after the settle delay, and ends linked to one contact', async () => {
    const clock = new SkewClock();
    let userId = '';
    const h = await startHarness({
      clock,
      env: { ...LOYALTY_ENV, HTTP_TIMEOUT_MS: '300', WRITE_SETTLE_SECONDS: String(SETTLE_SECONDS) },
      seed: (pepper, crm) => {
        userId = pepper.addUser({ firstName: 'Dee', lastName: 'Doubt', email: 'dee@demo.example' }, { emitAction: false }).id;
        crm.faults.add({ method: 'POST', path: /^\/contacts$/, times: 1, fault: { kind: 'processedLate', ms: 700 } });
      },
    });
    try {
      await h.idle();
      expect((await h.admin.get('/admin/failed-events').expect(200)).body.items).toEqual([]);
      expect((await h.admin.get(`/admin/links?pepperUserId=${userId}`).expect(200)).body.items).toEqual([]);
      await settle(h, 1); // not due yet: nothing is sent again
      expect(h.crm.requests.filter((r) => r.method === 'POST' && r.path === '/contacts')).toHaveLength(1);

      await waitFor(() => expect(h.crm.findContactByCode(userId)).toBeTruthy());
      clock.advance((SETTLE_SECONDS + 1) * 1000);
      await settle(h, 1);

      const { body } = await h.admin.get(`/admin/links?pepperUserId=${userId}`).expect(200);
      expect(body.items).toEqual([expect.objectContaining({ status: 'LINKED', matchedBy: 'CREATED', crmContactId: h.crm.findContactByCode(userId)!.id })]);
      expect(h.crm.requests.filter((r) => r.method === 'POST' && r.path === '/contacts')).toHaveLength(1);
      expect((await h.admin.get('/admin/failed-events').expect(200)).body.items).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
