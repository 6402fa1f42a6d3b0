import nock from 'nock';
import { FakeClock } from '../../test/support/fakes/fake-clock';
import { RecordingSleeper } from '../../test/support/fakes/recording-sleeper';
import { useNockWithCapturedLogs } from '../../test/support/upstream/nock-lifecycle';
import { TEST_CRMCOM_URL, testConfig, TestConfigOverrides } from '../../test/support/upstream/test-config';
import { CrmComClient } from './crmcom.client';
import { CRM_EXCEPTIONS, CrmComError, isWalletBalanceNotEnough } from './crmcom.error';
import { CrmJournal } from './crmcom.types';

const API_KEY = testConfig().crmcom.apiKey;
const PASSWORD = 'crm-admin-password-0123';
const JWT_USER = { username: 'ops@merchant.test', password: PASSWORD };
const NOW_S = Date.parse('2026-01-01T12:00:00.000Z') / 1000;

function setup(overrides: TestConfigOverrides = {}) {
  const config = testConfig(overrides);
  const sleeper = new RecordingSleeper();
  const clock = new FakeClock(new Date(NOW_S * 1000));
  const client = new CrmComClient(config, clock, sleeper, () => 0.5);
  return { client, sleeper, clock, config };
}

async function failureOf(promise: Promise<unknown>): Promise<CrmComError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof CrmComError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

async function collect(pages: AsyncIterable<{ items: CrmJournal[]; invalid: unknown[] }>) {
  const all: { items: CrmJournal[]; invalid: unknown[] }[] = [];
  for await (const page of pages) all.push(page);
  return all;
}

function contact(id: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    code: `pepper-${id}`,
    first_name: 'Ada',
    last_name: 'Lovelace',
    email: `${id}@example.com`,
    phone: { type: 'MOBILE', number: '+447911123456' },
    wallet: { id: `w-${id}`, code: 'W1' },
    email_opt_out: false,
    sms_opt_out: true,
    ...extra,
  };
}

function journal(id: string, postedOn: number, extra: Record<string, unknown> = {}) {
  return {
    id,
    type: 'CREDIT',
    transaction_type: 'AWARD',
    amount: 2.5,
    currency: 'EUR',
    posted_on: postedOn,
    contact: { id: 'c1' },
    wallet: { id: 'w1' },
    reference_number: null,
    purchase_id: null,
    ...extra,
  };
}

function page(content: unknown[], hasMore: boolean, pageNumber = 1) {
  return { content, paging: { page: pageNumber, size: 100, total: null, has_more: hasMore } };
}

function tokens(access: string, refresh: string, expiresAt: number) {
  return { access_token: access, refresh_token: refresh, expiration_date: expiresAt, mode: 'LIVE' };
}

const logs = useNockWithCapturedLogs();

describe('CrmComClient with the api_key only', () => {
  it('sends the api_key on every call and no Authorization', async () => {
    const { client } = setup();
    const seen: Record<string, unknown>[] = [];
    nock(TEST_CRMCOM_URL)
      .get('/wallets/w1')
      .reply(function reply() {
        seen.push({ ...this.req.headers });
        return [200, { id: 'w1', contact: { id: 'c1' }, currency_code: 'EUR', total_balance: 19.99 }];
      })
      .post('/contacts')
      .reply(function reply() {
        seen.push({ ...this.req.headers });
        return [201, { id: 'c9' }];
      });

    await expect(client.getWallet('w1')).resolves.toEqual({
      id: 'w1',
      contactId: 'c1',
      currency: 'EUR',
      balanceMinor: 1999,
    });
    await client.createContact({ code: 'u1' });

    for (const headers of seen) {
      expect(headers.api_key).toBe(API_KEY);
      expect(headers.accept).toBe('application/json');
      expect(headers.authorization).toBeUndefined();
    }
  });

  it('answers UNAUTHORIZED to a 401 at once', async () => {
    const { client, sleeper } = setup();
    const scope = nock(TEST_CRMCOM_URL)
      .get('/contacts/c1')
      .query(true)
      .reply(401, { status: 401, message: 'Invalid api key', error: 'CRM.EXCEPTIONS.UNAUTHORIZEDEXCEPTION' });

    const err = await failureOf(client.getContact('c1'));

    expect(err.code).toBe('UNAUTHORIZED');
    expect(err.upstream).toBe('crmcom');
    expect(sleeper.delays).toEqual([]);
    expect(scope.isDone()).toBe(true);
  });
});

describe('CrmComClient with a back-office user', () => {
  const jwt = { crmcom: JWT_USER };

  it('signs in once and sends the access token as a Bearer beside the api_key', async () => {
    const { client } = setup(jwt);
    const signIns: unknown[] = [];
    const bearers: unknown[] = [];
    nock(TEST_CRMCOM_URL)
      .post('/users/authenticate', (body) => signIns.push(body) > 0)
      .matchHeader('api_key', API_KEY)
      .reply(200, tokens('access-1-aaaaaaaa', 'refresh-1-bbbbbbbb', NOW_S + 3600))
      .get('/contacts/c1')
      .query(true)
      .times(2)
      .reply(function reply() {
        bearers.push(this.req.headers.authorization);
        return [200, contact('c1')];
      });

    await client.getContact('c1');
    await client.getContact('c1');

    expect(signIns).toEqual([{ provider: 'EMAIL', username: JWT_USER.username, password: PASSWORD }]);
    expect(bearers).toEqual(['Bearer access-1-aaaaaaaa', 'Bearer access-1-aaaaaaaa']);
  });

  it('shares one sign-in between concurrent calls', async () => {
    const { client } = setup(jwt);
    const scope = nock(TEST_CRMCOM_URL)
      .post('/users/authenticate')
      .once()
      .reply(200, tokens('access-1-aaaaaaaa', 'refresh-1-bbbbbbbb', NOW_S + 3600))
      .get(/\/wallets\/w\d/)
      .times(3)
      .reply(200, { id: 'w1', total_balance: 0 });

    await Promise.all([client.getWallet('w1'), client.getWallet('w2'), client.getWallet('w3')]);

    expect(scope.isDone()).toBe(true);
  });

  it('refreshes the token when less than a minute of its life remains', async () => {
    const { client, clock } = setup(jwt);
    const refreshCalls: unknown[] = [];
    const bearers: unknown[] = [];
    nock(TEST_CRMCOM_URL)
      .post('/users/authenticate')
      .reply(200, tokens('access-1-aaaaaaaa', 'refresh-1-bbbbbbbb', NOW_S + 3600))
      .post('/users/refresh')
      .reply(function reply(_uri, body) {
        refreshCalls.push({ authorization: this.req.headers.authorization, body });
        return [200, tokens('access-2-cccccccc', 'refresh-2-dddddddd', NOW_S + 7200)];
      })
      .get('/wallets/w1')
      .times(3)
      .reply(function reply() {
        bearers.push(this.req.headers.authorization);
        return [200, { id: 'w1', total_balance: 0 }];
      });

    await client.getWallet('w1');
    clock.advance(3539 * 1000);
    await client.getWallet('w1');
    clock.advance(2 * 1000);
    await client.getWallet('w1');

    expect(bearers).toEqual(['Bearer access-1-aaaaaaaa', 'Bearer access-1-aaaaaaaa', 'Bearer access-2-cccccccc']);
    expect(refreshCalls).toEqual([{ authorization: 'Bearer refresh-1-bbbbbbbb', body: {} }]);
  });

  it('signs in again when the refresh fails', async () => {
    const { client, clock } = setup(jwt);
    const scope = nock(TEST_CRMCOM_URL)
      .post('/users/authenticate')
      .reply(200, tokens('access-1-aaaaaaaa', 'refresh-1-bbbbbbbb', NOW_S + 3600))
      .post('/users/refresh')
      .reply(401, { status: 401, message: 'Invalid refresh token', error: null })
      .post('/users/authenticate')
      .reply(200, tokens('access-3-eeeeeeee', 'refresh-3-ffffffff', NOW_S + 7200))
      .get('/wallets/w1')
      .matchHeader('authorization', 'Bearer access-1-aaaaaaaa')
      .reply(200, { id: 'w1', total_balance: 0 })
      .get('/wallets/w1')
      .matchHeader('authorization', 'Bearer access-3-eeeeeeee')
      .reply(200, { id: 'w1', total_balance: 0 });

    await client.getWallet('w1');
    clock.advance(3600 * 1000);
    await client.getWallet('w1');

    expect(scope.isDone()).toBe(true);
  });

  it('signs in again once after a 401 and repeats the call', async () => {
    const { client, sleeper } = setup(jwt);
    const scope = nock(TEST_CRMCOM_URL)
      .post('/users/authenticate')
      .reply(200, tokens('access-1-aaaaaaaa', 'refresh-1-bbbbbbbb', NOW_S + 3600))
      .post('/contacts/c1/journals')
      .matchHeader('authorization', 'Bearer access-1-aaaaaaaa')
      .reply(401, { status: 401, message: 'Invalid or expired access token', error: null })
      .post('/users/authenticate')
      .reply(200, tokens('access-2-cccccccc', 'refresh-2-dddddddd', NOW_S + 3600))
      .post('/contacts/c1/journals')
      .matchHeader('authorization', 'Bearer access-2-cccccccc')
      .reply(201, { id: 'j1' });

    const id = await client.createJournal('c1', {
      action: 'CREDIT',
      amountMinor: 100,
      currency: 'EUR',
      referenceNumber: 'r1',
      notes: 'n',
    });

    expect(id).toBe('j1');
    expect(sleeper.delays).toEqual([]);
    expect(scope.isDone()).toBe(true);
  });

  it('answers UNAUTHORIZED when the call is refused again after signing in again', async () => {
    const { client } = setup(jwt);
    let signIns = 0;
    nock(TEST_CRMCOM_URL)
      .post('/users/authenticate')
      .times(2)
      .reply(() => {
        signIns += 1;
        return [200, tokens(`access-${signIns}-aaaaaaaa`, `refresh-${signIns}-bbbbbbbb`, NOW_S + 3600)];
      })
      .get('/wallets/w1')
      .times(2)
      .reply(401, { status: 401, message: 'Invalid or expired access token', error: null });

    const err = await failureOf(client.getWallet('w1'));

    expect(err.code).toBe('UNAUTHORIZED');
    expect(signIns).toBe(2);
  });

  it('answers UNAUTHORIZED when the credentials are refused', async () => {
    const { client } = setup(jwt);
    nock(TEST_CRMCOM_URL)
      .post('/users/authenticate')
      .reply(401, { status: 401, message: 'Invalid username or password', error: null });

    const err = await failureOf(client.getWallet('w1'));

    expect(err.code).toBe('UNAUTHORIZED');
    expect(err.message).toContain('CRM.COM POST /users/authenticate answered 401');
  });

  it('keeps the api key, password and tokens out of errors and logs', async () => {
    const { client } = setup({ ...jwt, http: { maxRetries: 1 } });
    const access = 'access-secret-jwt-1234567890';
    const refresh = 'refresh-secret-jwt-1234567890';
    nock(TEST_CRMCOM_URL)
      .post('/users/authenticate')
      .reply(200, tokens(access, refresh, NOW_S + 3600))
      .get('/wallets/w1')
      .reply(503, { status: 503, message: `key ${API_KEY} token ${access}`, error: null })
      .get('/wallets/w1')
      .reply(400, {
        status: 400,
        message: `bad ${API_KEY} / ${PASSWORD} / ${access} / ${refresh}`,
        error: 'CRM.EXCEPTIONS.INVALIDVALUEEXCEPTION',
      });

    const err = await failureOf(client.getWallet('w1'));

    const everything = [err.message, JSON.stringify(err), String(err.stack), ...logs.lines()].join('\n');
    for (const secret of [API_KEY, PASSWORD, access, refresh]) expect(everything).not.toContain(secret);
    expect(err.message).toContain('bad *** / *** / *** / ***');
    expect(logs.lines().length).toBeGreaterThan(0);
  });
});

describe('CrmComClient contact search', () => {
  it('reads contacts in the documented phone shape and finds them by the national number first, then by E.164', async () => {
    const { client } = setup();
    const asked: string[] = [];
    const documented = { ...contact('c9'), phone: { type: 'MOBILE', country_code: 'GBR', number: '7400123456' } };
    nock(TEST_CRMCOM_URL)
      .get('/contacts')
      .query(true)
      .times(2)
      .reply(function reply() {
        asked.push(String(new URL(this.req.path, 'http://x').searchParams.get('phone_number')));
        return [200, asked.length === 1 ? page([], false) : page([documented], false)];
      });
    const found = await client.findContacts({ phone: '+447400123456' });
    expect(found.map((c) => [c.id, c.phoneNumber])).toEqual([['c9', '+447400123456']]);
    expect(asked).toEqual(['7400123456', '+447400123456']);
  });

  it('a contact whose phone does not match the E.164 asked for means the filter was ignored', async () => {
    const { client } = setup();
    const other = { ...contact('c8'), phone: { type: 'MOBILE', country_code: 'GBR', number: '7400999999' } };
    nock(TEST_CRMCOM_URL).get('/contacts').query(true).reply(200, page([other], false));
    await expect(client.findContacts({ phone: '+447400123456' })).rejects.toMatchObject({ code: 'FILTER_IGNORED' });
  });

  it('reads every page while has_more, with the filter and wallet', async () => {
    const { client } = setup({ crmcom: { pageSize: 2 } });
    const paths: string[] = [];
    const bodies = [page([contact('c1'), contact('c2')], true), page([contact('c3')], false, 2)];
    nock(TEST_CRMCOM_URL)
      .get('/contacts')
      .query(true)
      .times(2)
      .reply(function reply() {
        paths.push(this.req.path);
        return [200, bodies[paths.length - 1]];
      });

    const found = await client.findContacts({ phone: '+447911123456' });

    expect(found.map((c) => c.id)).toEqual(['c1', 'c2', 'c3']);
    expect(found[0]).toEqual({
      id: 'c1',
      code: 'pepper-c1',
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'c1@example.com',
      phoneNumber: '+447911123456',
      walletId: 'w-c1',
      walletBalanceMinor: null,
      emailOptOut: false,
      smsOptOut: true,
    });
    expect(paths).toEqual([
      // inferred form of the filter: the documented national number first (found here, so no second query)
      '/backoffice/v2/contacts?phone_number=7911123456&include_wallet=true&page=1&size=2',
      '/backoffice/v2/contacts?phone_number=7911123456&include_wallet=true&page=2&size=2',
    ]);
  });

  it('lists every contact newest first with its created_date, a page at a time, until has_more is false', async () => {
    const { client } = setup({ crmcom: { pageSize: 2 } });
    const paths: string[] = [];
    const bodies = [
      page([contact('c3', { created_date: 300 }), contact('c2', { created_date: 200 })], true),
      page([contact('c1', { created_date: 200 })], false, 2),
    ];
    nock(TEST_CRMCOM_URL)
      .get('/contacts')
      .query(true)
      .times(2)
      .reply(function reply() {
        paths.push(this.req.path);
        return [200, bodies[paths.length - 1]];
      });

    const pages = [];
    for await (const items of client.contactsNewestFirst()) pages.push(items.map((i) => [i.contact.id, i.createdOn, i.contact.walletId]));

    expect(pages).toEqual([
      [['c3', 300, 'w-c3'], ['c2', 200, 'w-c2']],
      [['c1', 200, 'w-c1']],
    ]);
    expect(paths).toEqual([
      '/backoffice/v2/contacts?sort=CREATED_DATE&order=DESC&include_wallet=true&page=1&size=2',
      '/backoffice/v2/contacts?sort=CREATED_DATE&order=DESC&include_wallet=true&page=2&size=2',
    ]);
  });

  it('refuses a contact list that is not newest first, or has no created_date, as FILTER_IGNORED', async () => {
    const { client } = setup();
    nock(TEST_CRMCOM_URL).get('/contacts').query(true).reply(200, page([contact('c1', { created_date: 100 }), contact('c2', { created_date: 200 })], false));
    const read = async () => {
      for await (const items of client.contactsNewestFirst()) void items;
    };
    const unsorted = await failureOf(read());
    expect(unsorted.code).toBe('FILTER_IGNORED');
    expect(unsorted.message).toMatch(/sort=CREATED_DATE&order=DESC was ignored/);

    nock(TEST_CRMCOM_URL).get('/contacts').query(true).reply(200, page([contact('c1')], false));
    const undated = await failureOf(read());
    expect(undated.code).toBe('FILTER_IGNORED');
    expect(undated.message).toMatch(/no created_date/);
  });

  it('stops at the page cap with PAGE_LIMIT', async () => {
    const { client } = setup({ crmcom: { maxPages: 3 } });
    const scope = nock(TEST_CRMCOM_URL)
      .get('/contacts')
      .query(true)
      .times(3)
      .reply(200, page([contact('c1')], true));

    const err = await failureOf(client.findContacts({ code: 'pepper-c1' }));

    expect(err.code).toBe('PAGE_LIMIT');
    expect(scope.isDone()).toBe(true);
  });

  it('matches emails trimmed and without case', async () => {
    const { client } = setup();
    nock(TEST_CRMCOM_URL)
      .get('/contacts')
      .query({ email_address: ' Ada@Example.com', include_wallet: 'true', page: '1', size: '100' })
      .reply(200, page([contact('c1', { email: 'ada@example.COM ' })], false));

    await expect(client.findContacts({ email: ' Ada@Example.com' })).resolves.toHaveLength(1);
  });

  it.each([
    [{ email: 'ada@example.com' }, { email: 'someone@else.com' }],
    [{ code: 'pepper-u1' }, { code: 'pepper-u2' }],
    [{ phone: '+447911123456' }, { phone: { type: 'MOBILE', number: '+447700900000' } }],
    [{ phone: '+447911123456' }, { phone: null }],
  ])('answers FILTER_IGNORED when a record that does not match %p comes back', async (filter, stranger) => {
    const { client } = setup();
    nock(TEST_CRMCOM_URL)
      .get('/contacts')
      .query(true)
      .reply(
        200,
        page([contact('c1', { email: 'ada@example.com', code: 'pepper-u1' }), contact('c2', stranger)], false),
      );

    const err = await failureOf(client.findContacts(filter));

    expect(err.code).toBe('FILTER_IGNORED');
    expect(err.message).toContain('c2');
    expect(err.message).not.toContain('someone@else.com');
  });

  it('fails a page with an unreadable contact as INVALID_RESPONSE', async () => {
    const { client } = setup();
    nock(TEST_CRMCOM_URL)
      .get('/contacts')
      .query(true)
      .reply(200, page([{ code: 'x' }], false));

    expect((await failureOf(client.findContacts({ code: 'x' }))).code).toBe('INVALID_RESPONSE');
  });
});

describe('CrmComClient writes', () => {
  it('creates and updates contacts with CRM.COM field names', async () => {
    const { client } = setup();
    const bodies: unknown[] = [];
    nock(TEST_CRMCOM_URL)
      .post('/contacts', (body) => bodies.push(body) > 0)
      .reply(201, { id: 'c9' })
      .put('/contacts/c9', (body) => bodies.push(body) > 0)
      .reply(200, { id: 'c9' });

    const id = await client.createContact({
      code: 'u1',
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'ada@example.com',
      phoneNumber: '+447911123456',
      emailOptOut: false,
      smsOptOut: true,
    });
    await client.updateContact(id, { email: null, phoneNumber: null, lastName: 'King' });

    expect(bodies).toEqual([
      {
        contact_type: 'PERSON',
        code: 'u1',
        first_name: 'Ada',
        last_name: 'Lovelace',
        email: 'ada@example.com',
        phone: { type: 'MOBILE', country_code: 'GGY', number: '7911123456' }, // the documented form: ISO-3 country code, national number
        email_opt_out: false,
        sms_opt_out: true,
      },
      { last_name: 'King', email: null, phone: null },
    ]);
  });

  it('lists accounts and creates the primary one', async () => {
    const { client } = setup();
    let created: unknown;
    nock(TEST_CRMCOM_URL)
      .get('/contacts/c1/accounts')
      .query(true)
      .reply(200, page([{ id: 'a1', is_primary: true, currency_code: 'EUR', name: 'Main' }], false))
      .post('/contacts/c1/accounts', (body) => {
        created = body;
        return true;
      })
      .reply(201, { id: 'a2' });

    await expect(client.listAccounts('c1')).resolves.toEqual([{ id: 'a1', isPrimary: true, currency: 'EUR' }]);
    await expect(client.createPrimaryAccount('c1', 'EUR')).resolves.toBe('a2');
    expect(created).toEqual({ currency_code: 'EUR', is_primary: true });
  });

  it('sends a purchase with CRM.COM field names and major-unit amounts', async () => {
    const { client } = setup();
    let sent: unknown;
    nock(TEST_CRMCOM_URL)
      .post('/purchases', (body) => {
        sent = body;
        return true;
      })
      .reply(201, { id: 'p1' });

    const id = await client.createPurchase({
      referenceNumber: 'pepper:app:order:o1',
      contactId: 'c1',
      organisationId: 'org1',
      currency: 'EUR',
      dateEpochSeconds: NOW_S,
      totalMinor: 1999,
      netMinor: 1666,
      taxMinor: null,
      products: [{ sku: 'latte', name: 'Latte', quantity: 2, totalMinor: 700 }],
    });

    expect(id).toBe('p1');
    expect(sent).toEqual({
      reference_number: 'pepper:app:order:o1',
      contact: { id: 'c1' },
      organisation: { id: 'org1' },
      currency_code: 'EUR',
      date: NOW_S,
      transaction_amounts: { total: 19.99, net: 16.66 },
      products: [{ sku: 'latte', name: 'Latte', quantity: 2, total_amount: 7 }],
    });
  });

  it('sends a journal with amount 12.5 for 1250 minor units', async () => {
    const { client } = setup();
    let raw = '';
    nock(TEST_CRMCOM_URL)
      .post('/contacts/c%2F1/journals', (body) => {
        raw = JSON.stringify(body);
        return true;
      })
      .reply(201, { id: 'j1' });

    await client.createJournal('c/1', {
      action: 'DEBIT',
      amountMinor: 1250,
      currency: 'EUR',
      referenceNumber: 'pepper:app:action:x1',
      notes: 'REDEEM_PERK x1',
    });

    expect(JSON.parse(raw)).toEqual({
      action: 'DEBIT',
      entity: 'WALLET',
      amount: 12.5,
      currency_code: 'EUR',
      reference_number: 'pepper:app:action:x1',
      notes: 'REDEEM_PERK x1',
    });
    expect(raw).toContain('"amount":12.5');
  });

  it('keeps the CRM.COM exception code of a refused debit', async () => {
    const { client, sleeper } = setup();
    nock(TEST_CRMCOM_URL).post('/contacts/c1/journals').reply(400, {
      status: 400,
      message: 'Wallet balance is not enough',
      error: CRM_EXCEPTIONS.walletBalanceNotEnough,
      parameters: null,
    });

    const err = await failureOf(
      client.createJournal('c1', {
        action: 'DEBIT',
        amountMinor: 5000,
        currency: 'EUR',
        referenceNumber: 'r',
        notes: '',
      }),
    );

    expect(err.code).toBe('BAD_REQUEST');
    expect(err.crmException).toBe('CRM.EXCEPTIONS.CANNOTSPENDAMOUNTWALLETBALANCENOTENOUGHEXCEPTION');
    expect(isWalletBalanceNotEnough(err)).toBe(true);
    expect(err.outcomeUnknown).toBe(false);
    expect(err.message).toBe(
      'CRM.COM POST /contacts/c1/journals answered 400 ' +
        '(CRM.EXCEPTIONS.CANNOTSPENDAMOUNTWALLETBALANCENOTENOUGHEXCEPTION: Wallet balance is not enough)',
    );
    expect(JSON.parse(JSON.stringify(err))).toMatchObject({ crmException: CRM_EXCEPTIONS.walletBalanceNotEnough });
    expect(sleeper.delays).toEqual([]);
  });

  it('does not resend a purchase after a 502: the outcome is unknown', async () => {
    const { client, sleeper } = setup();
    const scope = nock(TEST_CRMCOM_URL).post('/purchases').reply(502);

    const err = await failureOf(
      client.createPurchase({
        referenceNumber: 'r',
        contactId: 'c1',
        currency: 'EUR',
        dateEpochSeconds: NOW_S,
        totalMinor: 100,
        products: [],
      }),
    );

    expect(err.code).toBe('SERVER_ERROR');
    expect(err.outcomeUnknown).toBe(true);
    expect(sleeper.delays).toEqual([]);
    expect(scope.isDone()).toBe(true);
  });

  it('retries an idempotent contact update on 503', async () => {
    const { client, sleeper } = setup();
    const scope = nock(TEST_CRMCOM_URL).put('/contacts/c1').reply(503).put('/contacts/c1').reply(200, { id: 'c1' });

    await client.updateContact('c1', { firstName: 'Ada' });

    expect(sleeper.delays).toEqual([50]);
    expect(scope.isDone()).toBe(true);
  });

  it('treats an unreadable create answer as done-but-unknown', async () => {
    const { client } = setup();
    nock(TEST_CRMCOM_URL).post('/contacts').reply(201, { created: true });

    const err = await failureOf(client.createContact({ code: 'u1' }));

    expect(err.code).toBe('INVALID_RESPONSE');
    expect(err.outcomeUnknown).toBe(true);
  });
});

describe('CrmComClient read-backs and feeds', () => {
  it('finds purchases by reference and refuses an ignored filter', async () => {
    const { client } = setup();
    const purchase = {
      id: 'p1',
      reference_number: 'ref-1',
      contact: { id: 'c1' },
      transaction_amounts: { total: 12.5 },
      date: NOW_S,
    };
    nock(TEST_CRMCOM_URL)
      .get('/purchases')
      .query({ reference_number: 'ref-1', page: '1', size: '100' })
      .reply(200, page([purchase], false))
      .get('/purchases')
      .query(true)
      .reply(200, page([purchase, { ...purchase, id: 'p2', reference_number: 'other' }], false));

    await expect(client.findPurchasesByReference('ref-1')).resolves.toEqual([
      { id: 'p1', referenceNumber: 'ref-1', contactId: 'c1', totalMinor: 1250, date: NOW_S },
    ]);
    expect((await failureOf(client.findPurchasesByReference('ref-1'))).code).toBe('FILTER_IGNORED');
  });

  it('pages wallet journals with the literal posted_on filter, keeping unreadable ones aside', async () => {
    const { client } = setup({ crmcom: { pageSize: 2 } });
    const paths: string[] = [];
    const bodies = [
      page([journal('j1', NOW_S), journal('j2', NOW_S + 1, { amount: '1.005' })], true),
      page([journal('j3', NOW_S + 2, { type: 'DEBIT', reference_number: 'r3', purchase_id: 'p3' })], false, 2),
    ];
    nock(TEST_CRMCOM_URL)
      .get('/journals')
      .query(true)
      .times(2)
      .reply(function reply() {
        paths.push(this.req.path);
        return [200, bodies[paths.length - 1]];
      });

    const pages = await collect(client.journalsPages({ postedOnGte: NOW_S, contactId: 'c1' }));

    expect(paths[0]).toBe(
      `/backoffice/v2/journals?entity=WALLET&posted_on[gte]=${NOW_S}&contact_id=c1` +
        '&sort=CREATED_DATE&order=ASC&page=1&size=2',
    );
    expect(pages.map((p) => p.items.map((j) => j.id))).toEqual([['j1'], ['j3']]);
    expect(pages[0].invalid).toEqual([
      { raw: expect.anything(), reason: expect.stringContaining('amount'), externalId: 'j2' },
    ]);
    expect(pages[1].items[0]).toEqual({
      id: 'j3',
      type: 'DEBIT',
      transactionType: 'AWARD',
      amountMinor: 250,
      currency: 'EUR',
      postedOn: NOW_S + 2,
      contactId: 'c1',
      walletId: 'w1',
      entity: null,
      referenceNumber: 'r3',
      purchaseId: 'p3',
    });
  });

  it('answers FILTER_IGNORED when a journal older than posted_on[gte] comes back', async () => {
    const { client } = setup();
    nock(TEST_CRMCOM_URL)
      .get('/journals')
      .query(true)
      .reply(200, page([journal('j0', NOW_S - 10)], true));

    const err = await failureOf(collect(client.journalsPages({ postedOnGte: NOW_S })));

    expect(err.code).toBe('FILTER_IGNORED');
  });

  it('stops the journal feed at the page cap', async () => {
    const { client } = setup({ crmcom: { maxPages: 2 } });
    nock(TEST_CRMCOM_URL)
      .get('/journals')
      .query(true)
      .times(2)
      .reply(200, page([journal('j1', NOW_S)], true));

    const err = await failureOf(collect(client.journalsPages({ postedOnGte: NOW_S })));

    expect(err.code).toBe('PAGE_LIMIT');
  });

  it('refuses a wallet whose balance is not an exact amount', async () => {
    const { client } = setup();
    nock(TEST_CRMCOM_URL).get('/wallets/w1').reply(200, { id: 'w1', total_balance: 'ten' });

    const err = await failureOf(client.getWallet('w1'));

    expect(err.code).toBe('INVALID_RESPONSE');
    expect(err.outcomeUnknown).toBe(false);
  });
});

describe('CrmComClient reading the documented shapes', () => {
  it('never takes a full page without paging.has_more for the last one: it reads on until a short page', async () => {
    const { client } = setup({ crmcom: { pageSize: 2 } });
    const asked: string[] = [];
    const bodies = [{ content: [journal('j1', NOW_S), journal('j2', NOW_S)] }, { content: [journal('j3', NOW_S)] }];
    nock(TEST_CRMCOM_URL)
      .get('/journals')
      .query(true)
      .times(2)
      .reply(function reply() {
        asked.push(String(new URL(this.req.path, 'http://x').searchParams.get('page')));
        return [200, bodies[asked.length - 1]];
      });
    const pages = await collect(client.journalsPages({ postedOnGte: NOW_S }));
    expect(pages.flatMap((p) => p.items.map((j) => j.id))).toEqual(['j1', 'j2', 'j3']);
    expect(asked).toEqual(['1', '2']);
  });

  it('reads accounts listed flat and nested under their contact', async () => {
    const { client } = setup();
    nock(TEST_CRMCOM_URL)
      .get('/contacts/c1/accounts')
      .query(true)
      .reply(200, page([{ id: 'c1', accounts: [{ id: 'a1', is_primary: true, currency_code: 'EUR' }, { id: 'a2', is_primary: false }] }], false));
    await expect(client.listAccounts('c1')).resolves.toEqual([
      { id: 'a1', isPrimary: true, currency: 'EUR' },
      { id: 'a2', isPrimary: false, currency: null },
    ]);
  });

  it('re-checks the entity of every journal: another entity means the WALLET filter was ignored', async () => {
    const { client } = setup();
    nock(TEST_CRMCOM_URL).get('/journals').query(true).reply(200, page([journal('j1', NOW_S, { entity: 'ACCOUNT' })], false));
    await expect(collect(client.journalsPages({ postedOnGte: NOW_S }))).rejects.toMatchObject({ code: 'FILTER_IGNORED' });
  });
});
