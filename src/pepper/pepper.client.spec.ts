import { createServer, Server } from 'node:http';
import { AddressInfo, createServer as createNetServer } from 'node:net';
import { gzipSync } from 'node:zlib';
import nock from 'nock';
import { FakeClock } from '../../test/support/fakes/fake-clock';
import { RecordingSleeper } from '../../test/support/fakes/recording-sleeper';
import { useNockWithCapturedLogs } from '../../test/support/upstream/nock-lifecycle';
import { TEST_PEPPER_URL, testConfig, TestConfigOverrides } from '../../test/support/upstream/test-config';
import { UpstreamError } from '../upstream/upstream-error';
import { PepperClient } from './pepper.client';
import { PepperError } from './pepper.error';
import { PepperUser } from './pepper.types';

const TOKEN = testConfig().pepper.authToken;

function setup(overrides: TestConfigOverrides = {}, random: () => number = () => 0.5) {
  const config = testConfig(overrides);
  const sleeper = new RecordingSleeper();
  const client = new PepperClient(config, new FakeClock(), sleeper, random);
  return { client, sleeper, config };
}

async function collect<T>(pages: AsyncIterable<{ items: T[]; invalid: unknown[] }>) {
  const all: { items: T[]; invalid: unknown[] }[] = [];
  for await (const page of pages) all.push(page);
  return all;
}

async function failureOf(promise: Promise<unknown>): Promise<PepperError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof PepperError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

/** A port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function user(id: string, extra: Partial<Record<string, unknown>> = {}) {
  return {
    id,
    firstName: 'Ada',
    lastName: 'Lovelace',
    deleted: false,
    hasAgreedToReceiveMarketing: true,
    updatedAt: '2026-01-01T10:00:00.000Z',
    credentials: [{ _id: 'c1', id: `${id}@example.com`, provider: 'EMAIL', isVerified: true, isPrimary: true }],
    ...extra,
  };
}

function award(id: string, available: number) {
  return { _id: id, userId: 'u1', perkId: 'perk-wallet', points: { available }, updatedAt: '2026-01-01T10:00:00Z' };
}

const logs = useNockWithCapturedLogs();

describe('PepperClient headers', () => {
  it('sends the merchant token, application id, API version and JSON headers on every call', async () => {
    const { client } = setup({ pepper: { apiVersion: '11' } });
    const seen: Record<string, string | string[] | undefined>[] = [];
    nock(TEST_PEPPER_URL)
      .get('/users/u1')
      .query(true)
      .reply(function reply() {
        seen.push({ ...this.req.headers });
        return [200, user('u1')];
      })
      .post('/pointperks/perk-wallet/awards')
      .reply(function reply() {
        seen.push({ ...this.req.headers });
        return [200, award('a1', 10)];
      });

    await client.getUser('u1');
    await client.grantPoints('perk-wallet', 'u1', 10);

    expect(seen).toHaveLength(2);
    for (const headers of seen) {
      expect(headers.authorization).toBe(`Token ${TOKEN}`);
      expect(headers['x-application-id']).toBe('test-merchant');
      expect(headers['x-api-version']).toBe('11');
      expect(headers.accept).toBe('application/json');
      expect(headers['accept-encoding']).toBe('gzip, deflate');
    }
    expect(seen[1]['content-type']).toBe('application/json');
  });
});

describe('PepperClient reads', () => {
  it('pages through users following page.nextKey until it is missing', async () => {
    const { client } = setup();
    const paths: string[] = [];
    const pageBodies = [
      { items: [user('u1')], page: { limit: 1, count: 1, nextKey: 'k1' } },
      { items: [user('u2')], page: { limit: 1, count: 1, startKey: 'k1', nextKey: 'k2' } },
      { items: [user('u3')], page: { limit: 1, count: 1, startKey: 'k2', nextKey: '' } },
    ];
    const scope = nock(TEST_PEPPER_URL)
      .get('/users')
      .query(true)
      .times(3)
      .reply(function reply() {
        paths.push(this.req.path);
        return [200, pageBodies[paths.length - 1]];
      });

    const pages = await collect<PepperUser>(client.usersPages({ pageSize: 1 }));

    expect(pages.map((p) => p.items.map((u) => u.id))).toEqual([['u1'], ['u2'], ['u3']]);
    expect(paths).toEqual([
      '/users?include=credentials&limit=1',
      '/users?include=credentials&limit=1&startKey=k1',
      '/users?include=credentials&limit=1&startKey=k2',
    ]);
    expect(pages[0].items[0]).toEqual({
      id: 'u1',
      firstName: 'Ada',
      lastName: 'Lovelace',
      deleted: false,
      hasAgreedToReceiveMarketing: true,
      updatedAt: '2026-01-01T10:00:00.000Z',
      credentials: [{ id: 'u1@example.com', provider: 'EMAIL', isVerified: true, isPrimary: true }],
    });
    expect(scope.isDone()).toBe(true);
  });

  it('reads the {actions: [...]} envelope and sends the dotted filters literally', async () => {
    const { client } = setup();
    const redeemAction = {
      _id: 'act1',
      type: 'REDEEM_PERK',
      when: { timestamp: '2026-01-01T11:00:00Z' },
      context: { user: { _id: 'u1' }, location: { _id: 'loc1' } },
      metadata: { awardId: 'a1', pointsRedeemed: 5, pointsAvailable: 20 },
    };
    let path = '';
    nock(TEST_PEPPER_URL)
      .get('/actions')
      .query(true)
      .reply(function reply() {
        path = this.req.path;
        return [200, { actions: [redeemAction] }];
      });

    const pages = await collect(
      client.actionsPages({
        gt: '2026-01-01T10:00:00.000Z',
        lte: '2026-01-01T12:00:00.000Z',
        types: ['REDEEM_PERK', 'REWARD_EARNED'],
        pageSize: 50,
      }),
    );

    expect(path).toBe(
      '/actions?when.timestamp.gt=2026-01-01T10:00:00.000Z&when.timestamp.lte=2026-01-01T12:00:00.000Z' +
        '&type.in=REDEEM_PERK,REWARD_EARNED&limit=50',
    );
    expect(pages).toHaveLength(1);
    expect(pages[0].items[0]).toMatchObject({
      id: 'act1',
      type: 'REDEEM_PERK',
      timestamp: '2026-01-01T11:00:00.000Z',
      userId: 'u1',
      locationId: 'loc1',
      metadata: { awardId: 'a1', pointsRedeemed: 5, pointsAvailable: 20 },
    });
  });

  it('reads on past a full page of actions that has no page object, by closing the window at the oldest action seen', async () => {
    const { client } = setup();
    const at = (h: number) => `2026-01-01T${String(h).padStart(2, '0')}:00:00.000Z`;
    const act = (id: string, hour: number) => ({ _id: id, type: 'USER_CHANGED', when: { timestamp: at(hour) }, context: { user: { _id: 'u1' } } });
    const asked: string[] = [];
    const answers = [{ actions: [act('a5', 5), act('a4', 4)] }, { actions: [act('a4', 4), act('a3', 3)] }, { actions: [act('a3', 3)] }];
    nock(TEST_PEPPER_URL)
      .get('/actions')
      .query(true)
      .times(3)
      .reply(function reply() {
        asked.push(String(new URL(this.req.path, 'http://x').searchParams.get('when.timestamp.lte')));
        return [200, answers[asked.length - 1]];
      });
    const pages = await collect(client.actionsPages({ gt: at(0), lte: at(6), types: ['USER_CHANGED'], pageSize: 2 }));
    expect(asked).toEqual([at(6), at(4), at(3)]);
    expect(new Set(pages.flatMap((p) => p.items.map((a) => a.id)))).toEqual(new Set(['a5', 'a4', 'a3']));
  });

  it('fails, rather than moving on, when a full page without a page object cannot be narrowed', async () => {
    const { client } = setup();
    const same = (id: string) => ({ _id: id, type: 'USER_CHANGED', when: { timestamp: '2026-01-01T06:00:00.000Z' }, context: { user: { _id: 'u1' } } });
    nock(TEST_PEPPER_URL).get('/actions').query(true).reply(200, { actions: [same('a1'), same('a2')] });
    const err = await failureOf(collect(client.actionsPages({ gt: '2026-01-01T00:00:00.000Z', lte: '2026-01-01T06:00:00.000Z', types: ['USER_CHANGED'], pageSize: 2 })));
    expect(err.message).toContain('cannot read on');
  });

  it('puts items that fail validation into invalid, with their id when readable', async () => {
    const { client } = setup();
    nock(TEST_PEPPER_URL)
      .get('/awards')
      .query(true)
      .reply(200, {
        items: [award('a1', 10), { _id: 'a2', userId: 'u1', perkId: 'p', points: { available: -1 } }, 'junk'],
      });

    const [page] = await collect(client.awardsPages());

    expect(page.items.map((a) => a.id)).toEqual(['a1']);
    expect(page.invalid).toEqual([
      { raw: expect.anything(), reason: expect.stringContaining('available'), externalId: 'a2' },
      { raw: 'junk', reason: expect.any(String), externalId: null },
    ]);
  });

  it('asks for every award field and flag, with the optional filters', async () => {
    const { client } = setup();
    let path = '';
    nock(TEST_PEPPER_URL)
      .get('/awards')
      .query(true)
      .reply(function reply() {
        path = this.req.path;
        return [200, { items: [] }];
      });

    await collect(client.awardsPages({ userId: 'u1', updatedAfter: '2026-01-01T00:00:00.000Z' }));

    expect(path).toBe(
      '/awards?fields=_id,userId,perkId,points,updatedAt&includeUnvisualisedAwards=true&includeDisabled=true' +
        '&limit=100&userId=u1&updatedAt.gt=2026-01-01T00:00:00.000Z',
    );
  });

  it('fails a page that has neither items nor actions with INVALID_RESPONSE', async () => {
    const { client } = setup();
    nock(TEST_PEPPER_URL).get('/perks').query(true).reply(200, { perks: [] });

    const err = await failureOf(collect(client.perksPages()));

    expect(err.code).toBe('INVALID_RESPONSE');
    expect(err.message).toContain('Pepper GET /perks');
  });

  it('stops a list whose nextKey never advances', async () => {
    const { client } = setup();
    nock(TEST_PEPPER_URL)
      .get('/perks')
      .query(true)
      .times(2)
      .reply(200, { items: [], page: { nextKey: 'same' } });

    const err = await failureOf(collect(client.perksPages()));

    expect(err.code).toBe('INVALID_RESPONSE');
  });

  it('reads perks and a user’s point awards', async () => {
    const { client } = setup();
    nock(TEST_PEPPER_URL)
      .get('/perks')
      .query(true)
      .reply(200, { items: [{ _id: 'p1', template: 'PSEUDO_CURRENCY', title: 'Wallet', enabled: true }] })
      .get('/users/u%201/pointawards')
      .query(true)
      .reply(200, { awards: [{ _id: 'a1', perkId: 'p1', points: { available: 3 } }] });

    const [perks] = await collect(client.perksPages());
    const awards = await client.getUserPointAwards('u 1');

    expect(perks.items).toEqual([{ id: 'p1', template: 'PSEUDO_CURRENCY', title: 'Wallet', enabled: true }]);
    expect(awards).toEqual([{ id: 'a1', userId: 'u 1', perkId: 'p1', pointsAvailable: 3, updatedAt: null }]);
  });

  it('decodes a gzip response', async () => {
    const { client } = setup();
    nock(TEST_PEPPER_URL)
      .get('/users/u1')
      .query(true)
      .reply(200, gzipSync(JSON.stringify(user('u1'))), {
        'Content-Encoding': 'gzip',
        'Content-Type': 'application/json',
      });

    await expect(client.getUser('u1')).resolves.toMatchObject({ id: 'u1' });
  });

  it('turns malformed JSON into INVALID_RESPONSE without retrying', async () => {
    const { client, sleeper } = setup();
    nock(TEST_PEPPER_URL).get('/users/u1').query(true).reply(200, '{"id": "u1", ', {
      'Content-Type': 'application/json',
    });

    const err = await failureOf(client.getUser('u1'));

    expect(err.code).toBe('INVALID_RESPONSE');
    expect(err.outcomeUnknown).toBe(false);
    expect(sleeper.delays).toEqual([]);
  });

  it('maps a 404 to NOT_FOUND with Pepper’s code and message', async () => {
    const { client, sleeper } = setup();
    nock(TEST_PEPPER_URL)
      .get('/users/abc')
      .query(true)
      .reply(404, { code: 'NotFound', message: 'User not found' });

    const err = await failureOf(client.getUser('abc'));

    expect(err).toBeInstanceOf(UpstreamError);
    expect(err.upstream).toBe('pepper');
    expect(err.code).toBe('NOT_FOUND');
    expect(err.status).toBe(404);
    expect(err.upstreamCode).toBe('NotFound');
    expect(err.message).toBe('Pepper GET /users/abc answered 404 (NotFound: User not found)');
    expect(sleeper.delays).toEqual([]);
  });
});

describe('PepperClient retries', () => {
  it('retries a 503 and then succeeds', async () => {
    const { client, sleeper } = setup();
    nock(TEST_PEPPER_URL)
      .get('/users/u1')
      .query(true)
      .reply(503, { code: 'Unavailable', message: 'try later' })
      .get('/users/u1')
      .query(true)
      .reply(200, user('u1'));

    await expect(client.getUser('u1')).resolves.toMatchObject({ id: 'u1' });
    expect(sleeper.delays).toEqual([50]);
    expect(logs.lines().join('\n')).toContain('Pepper GET /users/u1 failed (503); retry 1/3 in 50 ms');
  });

  it('waits the Retry-After seconds of a 429', async () => {
    const { client, sleeper } = setup();
    nock(TEST_PEPPER_URL)
      .get('/perks')
      .query(true)
      .reply(429, { code: 'TooManyRequests', message: 'slow down' }, { 'Retry-After': '7' })
      .get('/perks')
      .query(true)
      .reply(200, { items: [] });

    await collect(client.perksPages());

    expect(sleeper.delays).toEqual([7000]);
  });

  it('gives up with RATE_LIMITED when Retry-After is longer than it will wait in place', async () => {
    const { client, sleeper } = setup();
    nock(TEST_PEPPER_URL).get('/perks').query(true).reply(429, {}, { 'Retry-After': '120' });

    const err = await failureOf(collect(client.perksPages()));

    expect(err.code).toBe('RATE_LIMITED');
    expect(err.retryAfterMs).toBe(120000);
    expect(sleeper.delays).toEqual([]);
  });

  it('backs off exponentially with jitter, capped at the maximum', async () => {
    const { client, sleeper } = setup({ http: { maxRetries: 6 } }, () => 0.999999);
    nock(TEST_PEPPER_URL)
      .get('/users/u1')
      .query(true)
      .times(6)
      .reply(502)
      .get('/users/u1')
      .query(true)
      .reply(200, user('u1'));

    await client.getUser('u1');

    expect(sleeper.delays).toEqual([99, 199, 399, 799, 1599, 1999]);
  });

  it('gives up after maxRetries with SERVER_ERROR', async () => {
    const { client, sleeper } = setup();
    const scope = nock(TEST_PEPPER_URL).get('/users/u1').query(true).times(4).reply(500, { message: 'boom' });

    const err = await failureOf(client.getUser('u1'));

    expect(err.code).toBe('SERVER_ERROR');
    expect(err.outcomeUnknown).toBe(false);
    expect(err.message).toContain('after 4 attempts');
    expect(sleeper.delays).toHaveLength(3);
    expect(scope.isDone()).toBe(true);
  });

  it.each([
    [400, 'BAD_REQUEST'],
    [404, 'NOT_FOUND'],
    [422, 'VALIDATION'],
    [403, 'FORBIDDEN'],
    [401, 'UNAUTHORIZED'],
  ])('does not retry a %i (%s)', async (status, code) => {
    const { client, sleeper } = setup();
    nock(TEST_PEPPER_URL).get('/users/u1').query(true).reply(status, { code: 'X', message: 'no' });

    const err = await failureOf(client.getUser('u1'));

    expect(err.code).toBe(code);
    expect(sleeper.delays).toEqual([]);
  });

  it('does not resend a grant after a 503: the outcome is unknown', async () => {
    const { client, sleeper } = setup();
    const scope = nock(TEST_PEPPER_URL).post('/pointperks/perk-wallet/awards').reply(503);

    const err = await failureOf(client.grantPoints('perk-wallet', 'u1', 10));

    expect(err.code).toBe('SERVER_ERROR');
    expect(err.outcomeUnknown).toBe(true);
    expect(sleeper.delays).toEqual([]);
    expect(scope.isDone()).toBe(true);
  });

  it('resends a redeem after a 429, which Pepper answered without acting', async () => {
    const { client, sleeper } = setup();
    let bodies: unknown[] = [];
    nock(TEST_PEPPER_URL)
      .post('/users/u1/pointawards/a1/redeem', (body) => {
        bodies = [...bodies, body];
        return true;
      })
      .reply(429)
      .post('/users/u1/pointawards/a1/redeem')
      .reply(200, award('a1', 15));

    const result = await client.redeemPoints('u1', 'a1', 5);

    expect(result).toEqual({
      id: 'a1',
      userId: 'u1',
      perkId: 'perk-wallet',
      pointsAvailable: 15,
      updatedAt: '2026-01-01T10:00:00Z',
    });
    expect(bodies).toEqual([{ valueToRedeem: 5 }]);
    expect(sleeper.delays).toEqual([50]);
  });

  // Real sockets here: nock's simulated socket errors on requests with a body surface asynchronously and flake.
  it('resends a write when the connection was refused (nothing was sent)', async () => {
    nock.enableNetConnect('127.0.0.1');
    const port = await freePort();
    let server: Server | null = null;
    const sleeper = new (class extends RecordingSleeper {
      async sleep(ms: number): Promise<void> {
        await super.sleep(ms);
        // The upstream comes back between the refused attempt and the retry.
        server = createServer((_, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ _id: 'a1', points: { available: 10 } })));
        await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
      }
    })();
    const client = new PepperClient(testConfig({ pepper: { apiUrl: `http://127.0.0.1:${port}` } }), new FakeClock(), sleeper, () => 0.5);
    try {
      const result = await client.grantPoints('perk-wallet', 'u1', 10);
      expect(result).toMatchObject({ id: 'a1', userId: 'u1', perkId: 'perk-wallet', pointsAvailable: 10 });
      expect(sleeper.delays).toHaveLength(1);
    } finally {
      await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
      nock.disableNetConnect();
    }
  });

  it('does not resend a write after the connection dropped mid-call', async () => {
    nock.enableNetConnect('127.0.0.1');
    let connections = 0;
    const dropper = createNetServer((socket) => {
      connections += 1;
      socket.once('data', () => socket.destroy());
    });
    await new Promise<void>((resolve) => dropper.listen(0, '127.0.0.1', resolve));
    const { port } = dropper.address() as AddressInfo;
    const { client, sleeper } = setup({ pepper: { apiUrl: `http://127.0.0.1:${port}` } });
    try {
      const err = await failureOf(client.grantPoints('perk-wallet', 'u1', 10));
      expect(err.code).toBe('NETWORK');
      expect(err.outcomeUnknown).toBe(true);
      expect(sleeper.delays).toEqual([]);
      expect(connections).toBe(1);
    } finally {
      await new Promise((resolve) => dropper.close(resolve));
      nock.disableNetConnect();
    }
  });

  it('retries a PUT (an absolute set is safe to repeat)', async () => {
    const { client, sleeper } = setup();
    nock(TEST_PEPPER_URL)
      .put('/pointawards/a1', { points: { available: 42 } })
      .reply(503)
      .put('/pointawards/a1', { points: { available: 42 } })
      .reply(200, award('a1', 42));

    await expect(client.setAwardPoints('a1', 42)).resolves.toMatchObject({ pointsAvailable: 42 });
    expect(sleeper.delays).toHaveLength(1);
  });

  it('reports a slow answer as TIMEOUT', async () => {
    const { client } = setup({ http: { timeoutMs: 50, maxRetries: 1 } });
    nock(TEST_PEPPER_URL).get('/users/u1').query(true).times(2).delay(500).reply(200, user('u1'));

    const err = await failureOf(client.getUser('u1'));

    expect(err.code).toBe('TIMEOUT');
    expect(err.outcomeUnknown).toBe(false);
  });

  it('does not resend a grant that timed out', async () => {
    const { client, sleeper } = setup({ http: { timeoutMs: 50 } });
    nock(TEST_PEPPER_URL).post('/pointperks/p/awards').delay(500).reply(200, award('a1', 1));

    const err = await failureOf(client.grantPoints('p', 'u1', 1));

    expect(err.code).toBe('TIMEOUT');
    expect(err.outcomeUnknown).toBe(true);
    expect(sleeper.delays).toEqual([]);
  });

  it('treats a grant answer it cannot read as done-but-unknown, not as failed', async () => {
    const { client } = setup();
    nock(TEST_PEPPER_URL).post('/pointperks/p/awards').reply(200, { ok: true });

    const err = await failureOf(client.grantPoints('p', 'u1', 1));

    expect(err.code).toBe('INVALID_RESPONSE');
    expect(err.outcomeUnknown).toBe(true);
  });
});

describe('PepperClient secrets', () => {
  it('never puts the token in error messages, error JSON or logs', async () => {
    const { client } = setup({ http: { maxRetries: 1 } });
    nock(TEST_PEPPER_URL)
      .get('/users/u1')
      .query(true)
      .reply(503, { code: 'Down', message: `auth Token ${TOKEN} rejected` })
      .get('/users/u1')
      .query(true)
      .reply(401, { code: 'Unauthorized', message: `Token ${TOKEN} is not valid` })
      .post('/pointperks/p/awards')
      .reply(500, `<html>${TOKEN}</html>`);

    const errors = [await failureOf(client.getUser('u1')), await failureOf(client.grantPoints('p', 'u1', 1))];

    for (const err of errors) {
      expect(err.message).not.toContain(TOKEN);
      expect(JSON.stringify(err)).not.toContain(TOKEN);
      expect(String(err.stack)).not.toContain(TOKEN);
    }
    expect(errors[0].message).toContain('Token *** is not valid');
    expect(logs.lines().length).toBeGreaterThan(0);
    expect(logs.lines().join('\n')).not.toContain(TOKEN);
  });

  it('keeps the query string (emails, phones) out of logs and errors', async () => {
    const { client } = setup({ http: { maxRetries: 1 } });
    nock(TEST_PEPPER_URL).get('/actions').query(true).times(2).reply(503);

    const err = await failureOf(
      collect(
        client.actionsPages({ gt: '2026-01-01T00:00:00Z', lte: '2026-01-01T01:00:00Z', types: ['USER_CHANGED'] }),
      ),
    );

    expect(err.message).toContain('Pepper GET /actions ');
    expect(err.message).not.toContain('?');
    expect(logs.lines().join('\n')).not.toContain('when.timestamp');
  });
});
