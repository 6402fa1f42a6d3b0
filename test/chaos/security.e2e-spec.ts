import { onPostgres } from '../support/test-database';
import { statSync, existsSync } from 'node:fs';
import request from 'supertest';
import { ConfigValidationError } from '../../src/config/config-error';
import { loadConfig } from '../../src/config/load-config';
import { ADMIN_TOKEN, CRM_API_KEY, PEPPER_TOKEN } from '../support/harness';
import { settle } from '../support/loyalty';
import { addUsers, ChaosHarness, settleUntilClean, startChaosHarness } from '../support/chaos/chaos-harness';
import { dumpDatabase } from '../support/chaos/db';
import { crmTokensSeen } from '../support/chaos/instrument';

const CRM_USER = 'ops@chaos.example';
const CRM_PASSWORD = 'chaos-crm-password-Secret-42';

const ADMIN_ROUTES: Array<['get' | 'post', string]> = [
  ['get', '/admin/status'],
  ['post', '/admin/resync'],
  ['post', '/admin/resync/users/usr_000001'],
  ['get', '/admin/runs/anything'],
  ['get', '/admin/links'],
  ['get', '/admin/conflicts?status=open'],
  ['post', '/admin/conflicts/1/resolve'],
  ['get', '/admin/failed-events'],
  ['post', '/admin/failed-events/1/retry'],
];

function validEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    PEPPER_AUTH_TOKEN: PEPPER_TOKEN,
    PEPPER_APPLICATION_ID: 'app',
    CRMCOM_API_URL: 'https://sandbox.crm.com/backoffice/v2',
    CRMCOM_API_KEY: CRM_API_KEY,
    ADMIN_API_TOKEN: ADMIN_TOKEN,
    ...overrides,
  };
}

describe('chaos: security (e2e)', () => {
  describe('the admin API', () => {
    let h: ChaosHarness;
    beforeAll(async () => {
      h = await startChaosHarness();
      await h.idle();
    });
    afterAll(() => h.close());

    it.each(ADMIN_ROUTES)('%s %s refuses a missing or wrong token with 401, and never echoes a token', async (method, path) => {
      const server = () => request(h.app.getHttpServer());
      const attempts = [
        server()[method](path),
        server()[method](path).set('Authorization', `Bearer ${ADMIN_TOKEN.slice(0, -1)}x`),
        server()[method](path).set('Authorization', `Bearer ${ADMIN_TOKEN}extra`),
        server()[method](path).set('Authorization', `Token ${ADMIN_TOKEN}`),
        server()[method](path).set('Authorization', `${ADMIN_TOKEN}`),
        server()[method](path).set('Authorization', 'Bearer '),
        server()[method](`${path}${path.includes('?') ? '&' : '?'}token=${ADMIN_TOKEN}`),
      ];
      for (const attempt of attempts) {
        const res = await attempt;
        expect(res.status).toBe(401);
        expect(res.body).toMatchObject({ statusCode: 401 });
        expect(JSON.stringify(res.body) + JSON.stringify(res.headers)).not.toContain(ADMIN_TOKEN.slice(0, 12));
      }
    });

    it('GET /health stays open', async () => {
      await request(h.app.getHttpServer()).get('/health').expect(200);
    });

    (onPostgres ? it.skip : it)('the SQLite file (and its WAL companions) are readable by their owner only (0600)', () => {
      const path = h.config.databasePath;
      expect((statSync(path).mode & 0o777).toString(8)).toBe('600');
      for (const companion of [`${path}-wal`, `${path}-shm`]) {
        if (existsSync(companion)) expect({ companion, mode: (statSync(companion).mode & 0o777).toString(8) }).toEqual({ companion, mode: '600' });
      }
    });
  });

  it('start-up refuses an ADMIN_API_TOKEN shorter than 24 characters, naming it and not its value', () => {
    const short = 'short-admin-token-23chr';
    expect(short).toHaveLength(23);
    let error: unknown;
    try {
      loadConfig(validEnv({ ADMIN_API_TOKEN: short }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect((error as Error).message).toMatch(/ADMIN_API_TOKEN/);
    expect((error as Error).message).not.toContain(short);
    expect(() => loadConfig(validEnv({ ADMIN_API_TOKEN: 'x'.repeat(24) }))).not.toThrow();
    expect(() => loadConfig(validEnv({ ADMIN_API_TOKEN: '' }))).toThrow(/ADMIN_API_TOKEN/);
  });

  it('secrets never reach the process output, admin replies or stored errors — through failures, 401s, retries and token renewals', async () => {
    const output: string[] = [];
    const capture = (chunk: unknown) => {
      output.push(typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString() : String(chunk));
      return true;
    };
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(capture as never);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(capture as never);
    let h: ChaosHarness | null = null;
    try {
      let users: string[] = [];
      h = await startChaosHarness({
        env: { CRMCOM_USERNAME: CRM_USER, CRMCOM_PASSWORD: CRM_PASSWORD, HTTP_TIMEOUT_MS: '400', LOG_LEVEL: 'debug' },
        crm: { users: [{ username: CRM_USER, password: CRM_PASSWORD }], rewardOffers: [{ name: '10% back', percent: 10 }] },
        logger: ['log', 'warn', 'error', 'debug'],
        seed: (pepper) => (users = addUsers(pepper, 'Secret', 3)),
      });
      const harness = h;
      await settle(harness);
      // Upstream error bodies that echo the credentials they were sent (each upstream knows only its own).
      const pepperEcho = { message: `rejected token ${PEPPER_TOKEN}`, token: PEPPER_TOKEN };
      const crmEcho = { status: 400, message: `rejected api_key ${CRM_API_KEY} for ${CRM_USER}/${CRM_PASSWORD}`, error: 'INVALID_VALUE', parameters: [CRM_API_KEY] };

      // Pepper: a 401 that echoes the token (fails the run), 503s that are retried, a timeout.
      harness.pepper.faults.add({ method: 'GET', path: /^\/actions$/, times: 1, fault: { kind: 'status', status: 401, body: pepperEcho } });
      await settle(harness, 1);
      harness.pepper.faults.add({ method: 'GET', path: /^\/actions$/, times: 2, fault: { kind: 'status', status: 503, body: pepperEcho } });
      harness.pepper.faults.add({ method: 'POST', path: /^\/pointperks\//, times: 1, fault: { kind: 'hang' } });
      // CRM.COM: expired tokens (re-authentication), a refused purchase whose error echoes every secret, 503s.
      harness.crm.expireAllTokens();
      harness.crm.faults.add({ method: 'POST', path: /^\/purchases$/, times: 1, fault: { kind: 'status', status: 400, body: crmEcho } });
      harness.crm.faults.add({ method: 'GET', path: /^\/journals$/, times: 2, fault: { kind: 'status', status: 503, body: { ...crmEcho, status: 503 } } });
      for (let i = 0; i < 4; i++) harness.pepper.completeOrder(users[i % 3], { orderId: `secret-${i}`, total: '10.00', items: [] });
      await settleUntilClean(harness, { maxRounds: 4 });
      harness.crm.expireAllTokens();
      harness.crm.posAward(harness.crm.findContactByCode(users[1])!.id, '1.00');
      await settleUntilClean(harness, { maxRounds: 4 });
      // Admin calls with wrong and right tokens.
      await request(harness.app.getHttpServer()).get('/admin/status').set('Authorization', `Bearer ${ADMIN_TOKEN}-wrong`).expect(401);

      const replies = [
        (await harness.admin.get('/admin/status').expect(200)).body,
        (await harness.admin.get('/admin/failed-events?limit=500').expect(200)).body,
        (await harness.admin.get('/admin/conflicts?limit=500').expect(200)).body,
        (await harness.admin.get('/admin/links?limit=500').expect(200)).body,
      ];
      const status = replies[0];
      for (const job of Object.values(status.jobs) as Array<{ runId: string } | null>) {
        if (job) replies.push((await harness.admin.get(`/admin/runs/${job.runId}`).expect(200)).body);
      }
      const stored = await dumpDatabase(harness.config.databasePath);
      stdout.mockRestore();
      stderr.mockRestore();

      const text = output.join('');
      // The run exercised the failure paths it is meant to check.
      expect(text).toMatch(/401/);
      expect(text).toMatch(/retry/i);
      expect(text).toMatch(/run_failed/);
      expect(text).toContain('rejected token ***'); // the upstream's echo was logged, redacted
      expect(harness.crm.authCount).toBeGreaterThanOrEqual(3);
      expect(JSON.stringify(replies)).toMatch(/401|rejected/);
      const jwts = crmTokensSeen(harness.crm);
      expect(jwts.length).toBeGreaterThanOrEqual(3);
      const secrets = { PEPPER_TOKEN, CRM_API_KEY, CRM_PASSWORD, ADMIN_TOKEN, ...Object.fromEntries(jwts.map((t, i) => [`crm jwt #${i}`, t])) };
      const leaks = (where: string, haystack: string) => Object.entries(secrets).filter(([, secret]) => haystack.includes(secret)).map(([name]) => `${name} in ${where}`);
      expect([...leaks('process output', text), ...leaks('admin replies', JSON.stringify(replies)), ...leaks('database', stored)]).toEqual([]);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
      await h?.close();
    }
  });
});
