import request from 'supertest';
import { ADMIN_TOKEN, APP_ID, Harness, PEPPER_TOKEN, startHarness } from '../support/harness';
import { LOYALTY_ENV, settle, WALLET_PERK } from '../support/loyalty';

/** The value of one sample of the metrics text, 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

describe('metrics, JSON logs and HTTP hardening (e2e)', () => {
  let h: Harness;
  let users: string[] = [];
  const output: string[] = [];
  let stdout: jest.SpyInstance;

  beforeAll(async () => {
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: unknown) => {
      output.push(String(chunk));
      return true;
    }) as never);
    h = await startHarness({
      env: LOYALTY_ENV,
      logger: ['log', 'warn', 'error'],
      crm: { rewardOffers: [{ name: '10% back', percent: 10 }] },
      seed: (pepper) => {
        pepper.addPerk({ id: WALLET_PERK, title: 'Wallet', template: 'PSEUDO_CURRENCY' });
        users = [1, 2].map((i) => pepper.addUser({ firstName: `M${i}`, lastName: 'Metric', email: `metric${i}@demo.example` }, { emitAction: false }).id);
      },
    });
    await settle(h);
  });
  afterAll(async () => {
    stdout.mockRestore();
    await h.close();
  });

  it('GET /metrics needs the admin token, and answers Prometheus text with it', async () => {
    await request(h.app.getHttpServer()).get('/metrics').expect(401);
    const res = await h.admin.get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.text).toContain('# TYPE connector_upstream_calls_total counter');
    expect(res.text).toContain('connector_upstream_credentials_accepted{api="pepper"} 1');
  });

  it('an order flow moves the counters: events settled, upstream calls with latency, writes and inbound events', async () => {
    const before = (await h.admin.get('/metrics').expect(200)).text;
    h.pepper.completeOrder(users[0], { orderId: 'metrics-1', total: '12.00', items: [] });
    await settle(h);
    const after = (await h.admin.get('/metrics').expect(200)).text;

    const settled = { source: 'pepper', type: 'ORDER_COMPLETED', outcome: 'done' };
    expect(sample(after, 'connector_events_settled_total', settled)).toBe(sample(before, 'connector_events_settled_total', settled) + 1);
    const purchase = { api: 'crmcom', method: 'POST', route: '/purchases', status: '201' };
    expect(sample(after, 'connector_upstream_calls_total', purchase)).toBeGreaterThan(sample(before, 'connector_upstream_calls_total', purchase));
    expect(sample(after, 'connector_upstream_call_duration_seconds_count', { api: 'crmcom', route: '/purchases' })).toBeGreaterThan(0);
    expect(sample(after, 'connector_inbound_events', { source: 'pepper', type: 'ORDER_COMPLETED', state: 'DONE' })).toBe(1);
    expect(sample(after, 'connector_writes', { target: 'crmcom', state: 'DONE' })).toBeGreaterThan(0);
    expect(after).toMatch(/connector_feed_lag_seconds\{feed="pepper.actions"\} \d+/);
    expect(after).toMatch(/connector_parked_events\{source="pepper"\} 0/);
  });

  it('retries and 429s are counted', async () => {
    const before = (await h.admin.get('/metrics').expect(200)).text;
    h.pepper.faults.add({ method: 'GET', path: /^\/actions$/, times: 1, fault: { kind: 'status', status: 429 } });
    await settle(h, 1);
    const after = (await h.admin.get('/metrics').expect(200)).text;
    expect(sample(after, 'connector_upstream_rate_limited_total', { api: 'pepper' })).toBe(sample(before, 'connector_upstream_rate_limited_total', { api: 'pepper' }) + 1);
    expect(sample(after, 'connector_upstream_retries_total', { api: 'pepper', cause: '429' })).toBe(sample(before, 'connector_upstream_retries_total', { api: 'pepper', cause: '429' }) + 1);
  });

  it('logs are one JSON object per line with time, level, msg, event, the application id and the ids; no secret', () => {
    const lines = output.join('').split('\n').filter((l) => l.trim() !== '');
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const line of parsed) expect(line).toEqual(expect.objectContaining({ time: expect.any(String), level: expect.any(String), applicationId: APP_ID }));
    const summary = parsed.find((l) => l.event === 'run_finished' || l.event === 'run_summary');
    const any = summary ?? parsed.find((l) => typeof l.event === 'string');
    expect(any).toEqual(expect.objectContaining({ msg: expect.any(String), level: 'info' }));
    expect(lines.join('\n')).not.toContain(PEPPER_TOKEN);
    expect(lines.join('\n')).not.toContain(ADMIN_TOKEN);
  });

  it('answers carry security headers and a request id, never X-Powered-By', async () => {
    const res = await request(h.app.getHttpServer()).get('/health').set('x-request-id', 'probe-42').expect(200);
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-request-id']).toBe('probe-42');
  });
});
