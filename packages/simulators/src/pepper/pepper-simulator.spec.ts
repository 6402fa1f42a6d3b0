import { PepperSimulator, type RunningServer } from './pepper-simulator';

const TOKEN = 'tok';
const APP_ID = 'app1';
const T0 = Date.parse('2024-05-01T10:00:00.000Z');

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

describe('PepperSimulator', () => {
  let clockMs: number;
  let sim: PepperSimulator;
  let server: RunningServer;

  const at = (seconds: number) => new Date(T0 + seconds * 1000);
  const headers = { Authorization: `Token ${TOKEN}`, 'x-application-id': APP_ID, 'x-api-version': '12' };

  async function call(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = headers) {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { ...extraHeaders, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined } as Answer;
  }
  const get = (path: string) => call('GET', path);

  beforeEach(async () => {
    clockMs = T0;
    sim = new PepperSimulator({ authToken: TOKEN, applicationId: APP_ID, now: () => new Date(clockMs) });
    server = await sim.start(0);
  });

  afterEach(async () => {
    await server.close();
  });

  describe('auth', () => {
    it.each([
      ['no headers', {}],
      ['a wrong token', { ...headers, Authorization: 'Token nope' }],
      ['a Bearer scheme', { ...headers, Authorization: `Bearer ${TOKEN}` }],
      ['a wrong application id', { ...headers, 'x-application-id': 'other' }],
      ['no api version', { Authorization: `Token ${TOKEN}`, 'x-application-id': APP_ID }],
    ])('refuses %s with 401 Unauthorized', async (_name, sent) => {
      const answer = await call('GET', '/users', undefined, sent as Record<string, string>);
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ code: 'Unauthorized', message: expect.any(String) });
    });

    it('records every request, refused ones included', async () => {
      await call('GET', '/users?limit=5', undefined, {});
      await call('POST', '/pointperks/p/awards', { userId: 'u', points: 1 });
      expect(sim.requests.map((r) => [r.method, r.path])).toEqual([
        ['GET', '/users'],
        ['POST', '/pointperks/p/awards'],
      ]);
      expect(sim.requests[0].query).toEqual({ limit: '5' });
      expect(sim.requests[1].headers['x-api-version']).toBe('12');
      expect(sim.requests[1].body).toEqual({ userId: 'u', points: 1 });
    });

    it('answers unknown routes with 404 NotFound', async () => {
      const answer = await get('/no-such-route');
      expect(answer.status).toBe(404);
      expect(answer.body.code).toBe('NotFound');
    });

    it('answers malformed JSON with 400 BadRequest', async () => {
      const res = await fetch(`${server.url}/pointawards/x`, {
        method: 'PUT',
        headers: { ...headers, 'content-type': 'application/json' },
        body: '{"points":',
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { code: string }).code).toBe('BadRequest');
    });
  });

  describe('users', () => {
    it('pages across three pages with credentials, in creation order, deleted users included', async () => {
      const created = [1, 2, 3, 4, 5].map((n) =>
        sim.addUser({ firstName: `First${n}`, lastName: `Last${n}`, email: `u${n}@x.com`, phone: `+4479000000${n}` }),
      );
      sim.deleteUser(created[1].id);

      const pages: Answer[] = [];
      let startKey: string | undefined;
      do {
        const answer = await get(`/users?limit=2&include=credentials${startKey ? `&startKey=${startKey}` : ''}`);
        pages.push(answer);
        startKey = answer.body.page.nextKey;
      } while (startKey);

      expect(pages.map((p) => p.body.page.count)).toEqual([2, 2, 1]);
      expect(pages[2].body.page.nextKey).toBeUndefined();
      expect(pages[1].body.page.startKey).toBe(pages[0].body.page.nextKey);
      const items = pages.flatMap((p) => p.body.items);
      expect(items.map((u: { id: string }) => u.id)).toEqual(created.map((u) => u.id));
      expect(items[0]).toMatchObject({
        id: created[0].id,
        fullName: 'First1 Last1',
        state: 'ACTIVE',
        isGuest: false,
        roles: ['USER'],
        deleted: false,
        created: new Date(T0).toISOString(),
        credentials: [
          { _id: expect.any(String), id: 'u1@x.com', provider: 'EMAIL', isVerified: true, isPrimary: true },
          { _id: expect.any(String), id: '+44790000001', provider: 'MOBILE', isVerified: true, isPrimary: false },
        ],
      });
      expect(items[0]._id).toBeUndefined();
      expect(items[1]).toMatchObject({ deleted: true, firstName: '', fullName: '', credentials: [] });
    });

    it('leaves credentials out unless included, and 404s an unknown user', async () => {
      const user = sim.addUser({ firstName: 'Ann', email: 'ann@x.com', emailVerified: false });
      expect((await get('/users')).body.items[0].credentials).toBeUndefined();
      expect((await get(`/users/${user.id}`)).body.credentials).toBeUndefined();
      const withCredentials = await get(`/users/${user.id}?include=segmentIds,credentials`);
      expect(withCredentials.body.credentials).toEqual([expect.objectContaining({ id: 'ann@x.com', isVerified: false })]);
      expect((await get('/users/usr_nobody')).status).toBe(404);
    });

    it('emits USER_CREATED, USER_CHANGED and USER_DELETED naming the user in context only', () => {
      const user = sim.addUser({ firstName: 'Ann', lastName: 'Lee' });
      clockMs += 1000;
      const changed = sim.updateUser(user.id, { lastName: 'Smith', phone: '07700900123', marketing: true });
      sim.deleteUser(user.id);
      sim.addUser({ firstName: 'Quiet' }, { emitAction: false });

      expect(changed).toMatchObject({ fullName: 'Ann Smith', hasAgreedToReceiveMarketing: true, updatedAt: at(1).toISOString() });
      expect(changed.credentials).toEqual([expect.objectContaining({ id: '07700900123', provider: 'MOBILE', isPrimary: true })]);
      const actions = sim.actions();
      expect(actions.map((a) => a.type)).toEqual(['USER_CREATED', 'USER_CHANGED', 'USER_DELETED']);
      expect(actions[0]).toMatchObject({ metadata: {}, context: { user: { _id: user.id, fullName: 'Ann Lee' } } });
    });
  });

  describe('actions', () => {
    function seedTimeline() {
      const user = sim.addUser({ firstName: 'Ann' }, { at: at(0) });
      sim.emitAction({ type: 'ORDER_COMPLETED', userId: user.id, at: at(10) });
      sim.emitAction({ type: 'REDEEM_PERK', userId: user.id, at: at(20) });
      sim.emitAction({ type: 'CHECKIN', userId: user.id, at: at(30) });
      sim.emitAction({ type: 'USER_CHANGED', userId: user.id, at: at(40) });
      clockMs = T0 + 60_000;
      return user;
    }
    const timesOf = (answer: Answer) => answer.body.items.map((a: { when: { timestamp: string } }) => a.when.timestamp);
    const q = (d: Date) => encodeURIComponent(d.toISOString());

    it('lists newest first with the documented action shape', async () => {
      const user = seedTimeline();
      sim.emitAction({ type: 'CHECKIN', userId: user.id, at: at(20), locationId: 'loc1' }); // tie with REDEEM_PERK
      const answer = await get('/actions');
      expect(answer.body.items.map((a: { type: string }) => a.type)).toEqual([
        'USER_CHANGED',
        'CHECKIN',
        'CHECKIN',
        'REDEEM_PERK',
        'ORDER_COMPLETED',
        'USER_CREATED',
      ]);
      expect(answer.body.page).toEqual({ limit: 100, count: 6 });
      expect(answer.body.items[2]).toEqual({
        _id: expect.any(String),
        type: 'CHECKIN',
        tenantId: sim.tenantId,
        source: 'API_SERVER',
        version: '0',
        environment: 'BETA',
        when: { timestamp: at(20).toISOString(), timezone: 'Europe/London' },
        context: {
          tenant: { _id: sim.tenantId, title: sim.tenantTitle },
          user: { _id: user.id, fullName: 'Ann' },
          location: { _id: 'loc1', title: expect.any(String) },
        },
        metadata: {},
      });
    });

    it('filters by time window with every operator', async () => {
      seedTimeline();
      expect(timesOf(await get(`/actions?when.timestamp.gt=${q(at(10))}&when.timestamp.lte=${q(at(30))}`))).toEqual([
        at(30).toISOString(),
        at(20).toISOString(),
      ]);
      expect(timesOf(await get(`/actions?when.timestamp.gte=${q(at(10))}&when.timestamp.lt=${q(at(30))}`))).toEqual([
        at(20).toISOString(),
        at(10).toISOString(),
      ]);
      expect(timesOf(await get(`/actions?when.timestamp=${q(at(20))}`))).toEqual([at(20).toISOString()]);
      expect(timesOf(await get(`/actions?when.timestamp.eq=${q(at(20))}`))).toEqual([at(20).toISOString()]);
      expect(timesOf(await get(`/actions?when.timestamp.neq=${q(at(20))}`))).toHaveLength(4);
      expect((await get('/actions?when.timestamp.gt=yesterday')).status).toBe(400);
    });

    it('filters by type with in, bare and nin', async () => {
      seedTimeline();
      const typesOf = (answer: Answer) => answer.body.items.map((a: { type: string }) => a.type);
      expect(typesOf(await get('/actions?type.in=REDEEM_PERK,USER_CREATED'))).toEqual(['REDEEM_PERK', 'USER_CREATED']);
      expect(typesOf(await get('/actions?type=CHECKIN'))).toEqual(['CHECKIN']);
      expect(typesOf(await get('/actions?type.nin=CHECKIN,USER_CHANGED,USER_CREATED'))).toEqual([
        'REDEEM_PERK',
        'ORDER_COMPLETED',
      ]);
    });

    it('pages stably while new actions are appended between pages', async () => {
      const user = seedTimeline();
      const first = await get('/actions?limit=2');
      expect(timesOf(first)).toEqual([at(40).toISOString(), at(30).toISOString()]);

      sim.emitAction({ type: 'CHECKIN', userId: user.id }); // at now(), newer than everything
      sim.emitAction({ type: 'CHECKIN', userId: user.id, at: at(30) }); // ties with the cursor, but emitted later

      const second = await get(`/actions?limit=2&startKey=${first.body.page.nextKey}`);
      const third = await get(`/actions?limit=2&startKey=${second.body.page.nextKey}`);
      expect(timesOf(second)).toEqual([at(20).toISOString(), at(10).toISOString()]);
      expect(timesOf(third)).toEqual([at(0).toISOString()]);
      expect(third.body.page.nextKey).toBeUndefined();
      expect((await get('/actions?startKey=garbage')).status).toBe(400);
    });

    it('hides an action until its visibleAt (late indexing)', async () => {
      const user = sim.addUser({ firstName: 'Ann' }, { emitAction: false });
      sim.emitAction({ type: 'REDEEM_PERK', userId: user.id, at: at(0), visibleAt: at(45) });
      clockMs = T0 + 30_000;
      expect((await get('/actions')).body.items).toEqual([]);
      expect(sim.actions()).toHaveLength(1);
      clockMs = T0 + 45_000;
      expect((await get('/actions')).body.items.map((a: { type: string }) => a.type)).toEqual(['REDEEM_PERK']);
    });

    it('serves the actions envelope when configured, and hostile actions as given', async () => {
      const other = new PepperSimulator({ authToken: TOKEN, applicationId: APP_ID, actionsEnvelope: 'actions' });
      const running = await other.start(0);
      try {
        other.emitAction({ type: 'ORDER_COMPLETED', userId: 'usr_unknown', rawOverride: { metadata: 'oops', context: undefined } });
        const res = await fetch(`${running.url}/actions`, { headers });
        const body = (await res.json()) as { items?: unknown; actions: Array<Record<string, unknown>> };
        expect(body.items).toBeUndefined();
        expect(body.actions).toHaveLength(1);
        expect(body.actions[0].metadata).toBe('oops');
        expect(body.actions[0]).not.toHaveProperty('context');
      } finally {
        await running.close();
      }
    });
  });

  describe('perks and awards', () => {
    function seedLoyalty() {
      const user = sim.addUser({ firstName: 'Ann', lastName: 'Lee' }, { emitAction: false });
      const wallet = sim.addPerk({ title: 'Wallet', template: 'PSEUDO_CURRENCY' });
      const stamps = sim.addPerk({ title: 'Coffee', template: 'STAMP_CARD', enabled: false });
      return { user, wallet, stamps };
    }

    it('grants through HTTP, adding to an existing award and emitting REWARD_EARNED', async () => {
      const { user, wallet } = seedLoyalty();
      const first = await call('POST', `/pointperks/${wallet._id}/awards`, { userId: user.id, points: 100 });
      const second = await call('POST', `/pointperks/${wallet._id}/awards`, { userId: user.id, points: 50, locationId: 'loc9' });

      expect(first.status).toBe(200);
      expect(second.body).toMatchObject({
        _id: first.body._id,
        userId: user.id,
        perkId: wallet._id,
        loyaltyProvider: 'PEPPER',
        template: 'PSEUDO_CURRENCY',
        title: 'Wallet',
        points: { available: 150 },
      });
      const earned = sim.actions();
      expect(earned.map((a) => a.type)).toEqual(['REWARD_EARNED', 'REWARD_EARNED']);
      expect(earned[1].metadata).toEqual({
        awardId: first.body._id,
        perkId: wallet._id,
        pointsAdded: 50,
        pointsAvailable: 150,
        loyaltyEarned: 50,
        trigger: 'API',
      });
      expect(earned[1].context.location?._id).toBe('loc9');
    });

    it('refuses bad grants', async () => {
      const { user, wallet, stamps } = seedLoyalty();
      const grant = (perkId: string, body: unknown) => call('POST', `/pointperks/${perkId}/awards`, body);
      expect((await grant(wallet._id, { userId: user.id, points: 0 })).status).toBe(422);
      expect((await grant(wallet._id, { userId: user.id, points: 1.5 })).status).toBe(422);
      expect((await grant(wallet._id, { userId: user.id, points: '5' })).status).toBe(422);
      expect((await grant(wallet._id, { points: 5 })).status).toBe(422);
      expect((await grant('prk_nope', { userId: user.id, points: 5 })).status).toBe(404);
      expect((await grant(wallet._id, { userId: 'usr_nope', points: 5 })).status).toBe(404);
      expect((await grant(stamps._id, { userId: user.id, points: 5 })).body).toMatchObject({ code: 'Validation' });
      expect(sim.actions()).toEqual([]);
    });

    it('redeems, refuses to overdraw with 422 Insufficient points, and refunds', async () => {
      const { user, wallet } = seedLoyalty();
      const award = sim.grantAward(user.id, wallet._id, 100);
      const base = `/users/${user.id}/pointawards/${award._id}`;

      const redeemed = await call('POST', `${base}/redeem`, { valueToRedeem: 30 });
      expect(redeemed.body.points.available).toBe(70);
      const refused = await call('POST', `${base}/redeem`, { valueToRedeem: 71 });
      expect(refused.status).toBe(422);
      expect(refused.body).toEqual({ code: 'Validation', message: 'Insufficient points' });
      const refunded = await call('POST', `${base}/refund`, { value: 10 });
      expect(refunded.body.points.available).toBe(80);
      expect((await call('POST', `/users/usr_other/pointawards/${award._id}/redeem`, { valueToRedeem: 1 })).status).toBe(404);

      const [, redeem, refund] = sim.actions();
      expect(redeem).toMatchObject({
        type: 'REDEEM_PERK',
        metadata: { awardId: award._id, perkId: wallet._id, pointsRedeemed: 30, pointsAvailable: 70 },
      });
      expect(refund).toMatchObject({
        type: 'AWARD_POINTS_REFUNDED',
        metadata: { awardId: award._id, perkId: wallet._id, pointsRefunded: 10, pointsAvailable: 80 },
      });
      expect(sim.actions()).toHaveLength(3);
    });

    it('sets the balance with PUT and emits nothing, while resetAward emits AWARD_POINTS_RESET', async () => {
      const { user, wallet } = seedLoyalty();
      const award = sim.grantAward(user.id, wallet._id, 100);
      clockMs += 5000;

      const put = await call('PUT', `/pointawards/${award._id}`, { points: { available: 42 } });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ _id: award._id, points: { available: 42 }, updatedAt: at(5).toISOString() });
      expect((await call('PUT', `/pointawards/${award._id}`, { points: { available: -1 } })).status).toBe(422);
      expect((await call('PUT', '/pointawards/awd_nope', { points: { available: 1 } })).status).toBe(404);
      expect(sim.actions().map((a) => a.type)).toEqual(['REWARD_EARNED']);

      sim.resetAward(award._id, 7);
      expect(sim.getAward(award._id)?.points.available).toBe(7);
      expect(sim.actions()[1]).toMatchObject({
        type: 'AWARD_POINTS_RESET',
        metadata: { awardId: award._id, perkId: wallet._id, pointsAvailable: 7 },
      });
    });

    it('lists perks and awards, leaving disabled perks out unless asked, with field projection', async () => {
      const { user, wallet, stamps } = seedLoyalty();
      sim.grantAward(user.id, wallet._id, 10);
      sim.setPerkEnabled(stamps._id, true);
      sim.grantAward(user.id, stamps._id, 3);
      sim.setPerkEnabled(stamps._id, false);

      expect((await get('/perks')).body.items.map((p: { _id: string }) => p._id)).toEqual([wallet._id, stamps._id]);
      expect((await get('/awards')).body.items).toHaveLength(1);
      const all = await get('/awards?includeDisabled=true&includeUnvisualisedAwards=true&fields=_id,userId,perkId,points,updatedAt');
      expect(all.body.items).toHaveLength(2);
      expect(Object.keys(all.body.items[0]).sort()).toEqual(['_id', 'perkId', 'points', 'updatedAt', 'userId']);
      expect((await get(`/awards?includeDisabled=true&updatedAt.gt=${encodeURIComponent(at(0).toISOString())}`)).body.items).toEqual([]);

      const paged = await get('/awards?includeDisabled=true&limit=1');
      expect(paged.body.page.nextKey).toBeDefined();
      const rest = await get(`/awards?includeDisabled=true&limit=1&startKey=${paged.body.page.nextKey}`);
      expect(rest.body.items[0].perkId).toBe(stamps._id);
      expect(rest.body.page.nextKey).toBeUndefined();

      const mine = await get(`/users/${user.id}/pointawards`);
      expect(mine.body.awards.map((a: { perkId: string }) => a.perkId)).toEqual([wallet._id]);
      expect((await get('/users/usr_nope/pointawards')).status).toBe(404);
    });
  });

  describe('orders', () => {
    it('emits ORDER_COMPLETED with major-unit amounts and a location, and ORDER_PAYMENT_REFUNDED', () => {
      const user = sim.addUser({ firstName: 'Ann' }, { emitAction: false });
      const completed = sim.completeOrder(user.id, {
        total: 12.5,
        items: [{ productId: 'p1', title: 'Latte', quantity: 2, price: '6.25' }],
        locationId: 'loc1',
        at: at(3),
      });
      const refunded = sim.refundOrder(user.id, completed.metadata.orderId as string);
      expect(completed).toMatchObject({
        type: 'ORDER_COMPLETED',
        when: { timestamp: at(3).toISOString() },
        context: { user: { _id: user.id }, location: { _id: 'loc1' } },
        metadata: { orderId: expect.any(String), total: 12.5, currency: 'EUR', items: [{ productId: 'p1', price: '6.25' }] },
      });
      expect(refunded).toMatchObject({ type: 'ORDER_PAYMENT_REFUNDED', metadata: { orderId: completed.metadata.orderId } });
    });
  });

  describe('faults', () => {
    it('answers 429 with Retry-After, then succeeds', async () => {
      sim.faults.add({ method: 'GET', path: /^\/actions$/, times: 1, fault: { kind: 'status', status: 429, retryAfterSeconds: 2 } });
      const limited = await get('/actions');
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('2');
      const ok = await get('/actions');
      expect(ok.status).toBe(200);
      expect(sim.requests).toHaveLength(2);
    });

    it('reset clears data, requests and faults', async () => {
      sim.addUser({ firstName: 'Ann' });
      sim.faults.add({ fault: { kind: 'status', status: 503 } });
      await get('/users');
      sim.reset();
      expect(sim.users()).toEqual([]);
      expect(sim.actions()).toEqual([]);
      expect(sim.requests).toEqual([]);
      expect((await get('/users')).status).toBe(200);
      expect(sim.addUser().id).not.toBe('usr_000001');
    });
  });
});
