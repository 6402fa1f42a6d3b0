import request from 'supertest';
import { AlertCenter } from '../../src/operations/alerts/alert-center';
import { AlertMonitor } from '../../src/operations/alerts/alert-monitor';
import { SyncJobs } from '../../src/sync/sync-jobs';
import { FakeClock } from '../support/fakes/fake-clock';
import { Harness, startHarness } from '../support/harness';
import { AlertReceiver } from '../support/upstream/alert-receiver';

interface AlertRow {
  id: number;
  key: string;
  kind: string;
  state: string;
  attempts: number;
  occurrences: number;
  lastError: string | null;
  text: string;
  fields: Record<string, unknown>;
}

describe('alerts: stored, delivered to a webhook with retries, de-duplicated (e2e)', () => {
  let h: Harness;
  const clock = new FakeClock(new Date());
  const receiver = new AlertReceiver();
  let userId = '';

  beforeAll(async () => {
    await receiver.start();
    h = await startHarness({
      clock,
      env: { ALERT_WEBHOOK_URL: receiver.url, ALERT_FEED_STALL_MINUTES: '30', PEPPER_POLL_INTERVAL_SECONDS: '60', CRMCOM_POLL_INTERVAL_SECONDS: '7200' },
      seed: (pepper) => (userId = pepper.addUser({ firstName: 'Al', lastName: 'Ert', email: 'al@demo.example' }, { emitAction: false }).id),
    });
    await h.idle();
    await poll();
  });
  afterAll(async () => {
    await h.close();
    await receiver.stop();
  });

  async function poll(): Promise<void> {
    await (await h.app.get(SyncJobs).startActionsPoll('ADMIN')).done;
    await h.app.get(AlertMonitor).settled();
  }
  const alerts = async (query = ''): Promise<AlertRow[]> => (await h.admin.get(`/admin/alerts?limit=500${query}`).expect(200)).body.items as AlertRow[];
  const byKey = async (key: string) => (await alerts()).filter((a) => a.key === key);
  const badOrder = (orderId: string) => {
    // an action whose `context` is not an object fails validation at the edge: parked at once
    h.pepper.emitAction({ type: 'ORDER_COMPLETED', userId, metadata: { orderId, total: '1.00', currency: 'EUR', items: [] }, rawOverride: { context: ['x'] } });
    clock.advance(5_000);
  };

  it('an event parked is stored, then posted as Slack-compatible JSON ({text, ...fields}) and listed as SENT', async () => {
    badOrder('alert-bad-1');
    await poll();
    const [alert] = await byKey('event_parked:pepper:ORDER_COMPLETED');
    expect(alert).toMatchObject({ kind: 'event_parked', state: 'SENT', attempts: 1, occurrences: 1, lastError: null });
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]).toMatchObject({
      text: expect.stringMatching(/^\[e2e-merchant\] pepper ORDER_COMPLETED .* parked for an operator/),
      kind: 'event_parked',
      severity: 'warning',
      alertId: alert.id,
      source: 'pepper',
      type: 'ORDER_COMPLETED',
      event: 'event_parked',
      applicationId: 'e2e-merchant',
      reason: expect.any(String),
    });
  });

  it('the same key within the window is one alert: repeats only count occurrences, nothing more is posted', async () => {
    badOrder('alert-bad-2');
    badOrder('alert-bad-3');
    await poll();
    const rows = await byKey('event_parked:pepper:ORDER_COMPLETED');
    expect(rows).toHaveLength(1);
    expect(rows[0].state).toBe('SENT');
    // (the poll's overlap re-reads the first one, which is parked again: a repeat too)
    expect(rows[0].occurrences).toBeGreaterThanOrEqual(3);
    expect(receiver.received).toHaveLength(1);
    // after the window a repeat pages again
    clock.advance(61 * 60_000);
    badOrder('alert-bad-4');
    await poll();
    expect(await byKey('event_parked:pepper:ORDER_COMPLETED')).toHaveLength(2);
    expect(receiver.received).toHaveLength(2);
  });

  it('an auth failure alerts, and its recovery alerts once the credentials are accepted again', async () => {
    const monitor = h.app.get(AlertMonitor);
    h.pepper.faults.add({ method: 'GET', path: /^\/actions$/, times: 1, fault: { kind: 'status', status: 401, body: { message: 'bad token' } } });
    clock.advance(120_000);
    await poll();
    await monitor.check();
    await monitor.check(); // still failing: counted, not posted again
    const [failed] = await byKey('auth_failed:pepper');
    expect(failed).toMatchObject({ kind: 'auth_failed', state: 'SENT', occurrences: 2, fields: expect.objectContaining({ api: 'pepper', status: '401' }) });
    expect(receiver.received.filter((b) => b.kind === 'auth_failed')).toHaveLength(1);

    clock.advance(120_000);
    await poll();
    await monitor.check();
    await monitor.check(); // recovered once, not again
    expect(await byKey('auth_recovered:pepper')).toEqual([expect.objectContaining({ state: 'SENT', occurrences: 1 })]);
    expect(receiver.received.filter((b) => b.kind === 'auth_recovered')).toEqual([
      expect.objectContaining({ text: expect.stringContaining('accepts the connector'), api: 'pepper', severity: 'info' }),
    ]);
    expect(await byKey('auth_failed:crmcom')).toEqual([]);
  });

  it('with the receiver down a stall alert stays PENDING with its attempts, and is delivered when the receiver comes back', async () => {
    const monitor = h.app.get(AlertMonitor);
    const center = h.app.get(AlertCenter);
    await receiver.stop();
    const before = receiver.received.length;
    clock.advance((60 + 31 * 60) * 1000);
    await monitor.check();
    let [stall] = await byKey('feed_stalled:pepper.actions');
    // refused, or (a kept-alive socket the receiver closed) reset: either way the receiver is down
    expect(stall).toMatchObject({ state: 'PENDING', attempts: 1, lastError: expect.stringMatching(/ECONNREFUSED|UND_ERR_SOCKET/) });
    expect(stall.text).toMatch(/Feed pepper\.actions is stalled: its cursor is \d+ min behind \(threshold 31 min\)/);

    // not due yet: nothing is tried
    await center.deliverDue();
    expect((await byKey('feed_stalled:pepper.actions'))[0].attempts).toBe(1);
    // due, receiver still down: one more attempt, still PENDING
    clock.advance(30_000);
    await center.deliverDue();
    [stall] = await byKey('feed_stalled:pepper.actions');
    expect(stall).toMatchObject({ state: 'PENDING', attempts: 2 });
    expect(await alerts('&state=pending')).toEqual([expect.objectContaining({ id: stall.id })]);

    await receiver.start();
    clock.advance(60_000);
    await center.deliverDue();
    [stall] = await byKey('feed_stalled:pepper.actions');
    expect(stall).toMatchObject({ state: 'SENT', attempts: 3, lastError: null });
    expect(receiver.received.slice(before)).toEqual([expect.objectContaining({ kind: 'feed_stalled', feed: 'pepper.actions', severity: 'critical' })]);

    // the feed moves again: one recovery alert
    await poll();
    await monitor.check();
    expect(await byKey('feed_recovered:pepper.actions')).toEqual([expect.objectContaining({ state: 'SENT' })]);
    expect(receiver.received.at(-1)).toMatchObject({ kind: 'feed_recovered', text: expect.stringContaining('pepper.actions is moving again') });
    expect(await byKey('feed_stalled:crmcom.journals')).toEqual([]);
  });

  it('GET /admin/alerts pages, filters by state and kind, and needs the token', async () => {
    const page1 = (await h.admin.get('/admin/alerts?limit=2').expect(200)).body;
    expect(page1.items).toHaveLength(2);
    const page2 = (await h.admin.get(`/admin/alerts?limit=2&cursor=${page1.nextCursor}`).expect(200)).body;
    expect(page2.items[0].id).toBeGreaterThan(page1.items[1].id);
    expect((await alerts('&kind=auth_failed')).map((a) => a.key)).toEqual(['auth_failed:pepper']);
    expect(await alerts('&state=pending')).toEqual([]);
    await h.admin.get('/admin/alerts?state=lost').expect(400);
    await request(h.app.getHttpServer()).get('/admin/alerts').expect(401);
  });
});

describe('alerts without ALERT_WEBHOOK_URL (e2e)', () => {
  let h: Harness;
  afterAll(() => h.close());

  it('are stored and listed only (state LOCAL)', async () => {
    let userId = '';
    h = await startHarness({ seed: (pepper) => (userId = pepper.addUser({ firstName: 'Lo', lastName: 'Cal', email: 'lo@demo.example' }, { emitAction: false }).id) });
    await h.idle();
    h.pepper.emitAction({ type: 'ORDER_COMPLETED', userId, metadata: { orderId: 'local-bad', total: '1.00', currency: 'EUR', items: [] }, rawOverride: { context: ['x'] } });
    await (await h.app.get(SyncJobs).startActionsPoll('ADMIN')).done;
    await h.app.get(AlertMonitor).settled();
    const items = (await h.admin.get('/admin/alerts').expect(200)).body.items;
    expect(items).toEqual([expect.objectContaining({ kind: 'event_parked', state: 'LOCAL', attempts: 0, nextAttemptAt: null })]);
  });
});
