import { RunningServer } from '../shared/listen';
import { CrmComSimulator, CrmComSimulatorOptions } from './crmcom-simulator';
import { majorTextToMinor, percentOfMinor, wireAmountToMinor } from './money';

const API_KEY = 'secret-key';
const START = new Date('2026-01-01T12:00:00.000Z');
const START_S = START.getTime() / 1000;

interface Reply {
  status: number;
  body: any; // response bodies are checked field by field in the tests
}

describe('CrmComSimulator', () => {
  let clock: Date;
  let sim: CrmComSimulator;
  let server: RunningServer;

  async function boot(options: Partial<CrmComSimulatorOptions> = {}): Promise<void> {
    clock = new Date(START);
    sim = new CrmComSimulator({ apiKey: API_KEY, now: () => clock, ...options });
    server = await sim.start(0);
  }

  const advance = (seconds: number) => (clock = new Date(clock.getTime() + seconds * 1000));

  async function call(
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Reply> {
    const response = await fetch(server.url + path, {
      method,
      headers: { api_key: API_KEY, 'content-type': 'application/json', ...options.headers },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  afterEach(async () => {
    await server?.close();
  });

  describe('api key', () => {
    beforeEach(() => boot());

    it('refuses a missing or wrong api_key with the CRM.COM error body', async () => {
      const missing = await fetch(`${server.url}/contacts`);
      expect(missing.status).toBe(401);
      expect(await missing.json()).toEqual({
        status: 401,
        message: 'Invalid api key',
        error: 'CRM.EXCEPTIONS.UNAUTHORIZEDEXCEPTION',
        parameters: null,
      });
      const wrong = await call('GET', '/contacts', { headers: { api_key: 'nope' } });
      expect(wrong.status).toBe(401);
      expect(sim.requests).toHaveLength(2);
      expect(sim.requests[1]).toMatchObject({ method: 'GET', path: '/contacts' });
    });

    it('answers unknown routes and records with a 404 in the same shape', async () => {
      const route = await call('GET', '/nothing/here');
      expect(route.status).toBe(404);
      expect(route.body).toMatchObject({ status: 404, error: 'CRM.EXCEPTIONS.NOTFOUNDEXCEPTION', parameters: null });
      const contact = await call('GET', '/contacts/unknown-id');
      expect(contact.body.error).toBe('CRM.EXCEPTIONS.NOTFOUNDEXCEPTION');
    });
  });

  describe('JWT mode', () => {
    beforeEach(() => boot({ users: [{ username: 'ops@example.com', password: 'pw' }], tokenTtlSeconds: 600 }));

    const login = () =>
      call('POST', '/users/authenticate', { body: { provider: 'EMAIL', username: 'ops@example.com', password: 'pw' } });

    it('needs a valid access token, and a refresh brings a new one after expiry', async () => {
      expect((await call('GET', '/contacts')).status).toBe(401);
      expect((await call('POST', '/users/authenticate', { body: { provider: 'EMAIL', username: 'ops@example.com', password: 'x' } })).status).toBe(401);

      const auth = await login();
      expect(auth.status).toBe(200);
      expect(auth.body).toMatchObject({ mode: 'LIVE', expiration_date: START_S + 600 });
      const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
      expect((await call('GET', '/contacts', bearer(auth.body.access_token))).status).toBe(200);

      sim.expireAllTokens();
      const expired = await call('GET', '/contacts', bearer(auth.body.access_token));
      expect(expired.status).toBe(401);
      expect(expired.body.error).toBe('CRM.EXCEPTIONS.UNAUTHORIZEDEXCEPTION');

      const refreshed = await call('POST', '/users/refresh', { ...bearer(auth.body.refresh_token), body: {} });
      expect(refreshed.status).toBe(200);
      expect(refreshed.body.access_token).not.toBe(auth.body.access_token);
      expect((await call('GET', '/contacts', bearer(refreshed.body.access_token))).status).toBe(200);
      // a refresh token is single use
      expect((await call('POST', '/users/refresh', { ...bearer(auth.body.refresh_token), body: {} })).status).toBe(401);
      expect([sim.authCount, sim.refreshCount]).toEqual([1, 1]);
    });

    it('expires access tokens by the injected clock', async () => {
      const auth = await login();
      advance(601);
      const reply = await call('GET', '/contacts', { headers: { authorization: `Bearer ${auth.body.access_token}` } });
      expect(reply.status).toBe(401);
    });
  });

  describe('contacts', () => {
    beforeEach(() => boot());

    it('creates, validates and refuses a duplicate code', async () => {
      const created = await call('POST', '/contacts', {
        body: {
          contact_type: 'PERSON',
          code: 'pepper-user-1',
          first_name: 'Ada',
          last_name: 'Lovelace',
          email: 'Ada@Example.com',
          phone: { type: 'MOBILE', number: '+447700900123' },
          sms_opt_out: true,
        },
      });
      expect(created.status).toBe(201);
      const read = await call('GET', `/contacts/${created.body.id}`);
      expect(read.body).toMatchObject({
        code: 'pepper-user-1',
        contact_type: 'PERSON',
        phone: { type: 'MOBILE', number: '+447700900123' },
        email_opt_out: false,
        sms_opt_out: true,
        created_date: START_S,
      });

      const duplicate = await call('POST', '/contacts', {
        body: { contact_type: 'PERSON', code: 'pepper-user-1', first_name: 'A', last_name: 'B' },
      });
      expect(duplicate.body).toEqual({
        status: 400,
        message: expect.any(String),
        error: 'CRM.EXCEPTIONS.ALREADYEXISTSEXCEPTION',
        parameters: ['code'],
      });
      const noName = await call('POST', '/contacts', { body: { contact_type: 'PERSON', last_name: 'B' } });
      expect(noName.status).toBe(400);
      expect(noName.body).toMatchObject({ error: 'CRM.EXCEPTIONS.INVALIDVALUEEXCEPTION', parameters: ['first_name'] });

      advance(5);
      const updated = await call('PUT', `/contacts/${created.body.id}`, { body: { email: 'new@example.com' } });
      expect(updated).toEqual({ status: 200, body: { id: created.body.id } });
      expect(sim.getContact(created.body.id)).toMatchObject({ email: 'new@example.com', firstName: 'Ada', updatedDate: START_S + 5 });
    });

    it('searches by code, email (any case) and E.164 phone, with paging and has_more', async () => {
      const ada = sim.addContact({ code: 'u1', email: 'ada@example.com', phone: '+447700900001' });
      for (let i = 0; i < 3; i += 1) sim.addContact({ email: 'shared@example.com' });

      const byCode = await call('GET', '/contacts?code=u1');
      expect(byCode.body.content.map((c: { id: string }) => c.id)).toEqual([ada.id]);
      expect(byCode.body.paging).toEqual({ page: 1, size: 10, total: null, has_more: false });
      expect((await call('GET', '/contacts?email_address=ADA%40example.com')).body.content).toHaveLength(1);
      expect((await call('GET', '/contacts?phone_number=%2B447700900001')).body.content[0].id).toBe(ada.id);
      expect((await call('GET', '/contacts?phone_number=07700900001')).body.content).toHaveLength(0);

      const first = await call('GET', '/contacts?email_address=shared%40example.com&size=2&include_total=true');
      expect(first.body.content).toHaveLength(2);
      expect(first.body.paging).toEqual({ page: 1, size: 2, total: 3, has_more: true });
      const second = await call('GET', '/contacts?email_address=shared%40example.com&size=2&page=2');
      expect(second.body.content).toHaveLength(1);
      expect(second.body.paging.has_more).toBe(false);
    });

    it('silently ignores a filter named in ignoredFilters', async () => {
      sim.addContact({ code: 'u1' });
      sim.addContact({ code: 'u2' });
      expect((await call('GET', '/contacts?code=u1')).body.content).toHaveLength(1);
      sim.ignoredFilters.add('code');
      const reply = await call('GET', '/contacts?code=u1');
      expect(reply.status).toBe(200);
      expect(reply.body.content).toHaveLength(2);
    });

    it('refuses a page size above 100', async () => {
      const reply = await call('GET', '/contacts?size=101');
      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({ error: 'CRM.EXCEPTIONS.INVALIDVALUEEXCEPTION', parameters: ['size'] });
      expect((await call('GET', '/contacts?size=100')).status).toBe(200);
    });
  });

  describe('accounts and wallets', () => {
    beforeEach(() => boot());

    it('creates the wallet with the first primary account', async () => {
      const contact = sim.addContact({ code: 'c1', withWallet: false });
      const before = await call('GET', `/contacts/${contact.id}?include_wallet=true`);
      expect(before.body.wallet).toBeNull();

      const account = await call('POST', `/contacts/${contact.id}/accounts`, {
        body: { currency_code: 'EUR', is_primary: true, credit_limit: 0 },
      });
      expect(account.status).toBe(201);
      const primary = await call('GET', `/contacts/${contact.id}/accounts?is_primary=true`);
      expect(primary.body.content).toEqual([
        expect.objectContaining({ id: account.body.id, is_primary: true, currency_code: 'EUR', state: 'ACTIVE' }),
      ]);

      const found = await call('GET', '/contacts?code=c1&include_wallet=true');
      const walletRef = found.body.content[0].wallet;
      expect(walletRef).toEqual({ id: expect.any(String), code: expect.any(String), total_balance: 0 });
      const wallet = await call('GET', `/wallets/${walletRef.id}`);
      expect(wallet.body).toMatchObject({
        id: walletRef.id,
        contact: { id: contact.id },
        currency_code: 'EUR',
        total_balance: 0,
        balances: [{ type: 'CRM', currency_code: 'EUR', total: 0, open: 0, commerce: 0 }],
      });
      const second = await call('POST', `/contacts/${contact.id}/accounts`, { body: { currency_code: 'EUR', is_primary: true } });
      expect(second.status).toBe(400);
    });

    it('shows balances in major units', async () => {
      const contact = sim.addContact({ balance: '12.50' });
      sim.posAward(contact.id, '0.10');
      const wallet = await call('GET', `/wallets/${contact.walletId}`);
      expect(wallet.body).toMatchObject({ total_balance: 12.6, total_open: 12.5, total_commerce: 0.1 });
      const listed = await call('GET', `/contacts/${contact.id}?include_wallet=true`);
      expect(listed.body.wallet).toMatchObject({ id: contact.walletId, total_balance: 12.6 });
      expect(sim.walletBalanceMinor(contact.id)).toBe(1260);
      expect(sim.accounts(contact.id)).toEqual([expect.objectContaining({ isPrimary: true, currencyCode: 'EUR' })]);
      expect(() => sim.addContact({ balance: '1.005' })).toThrow();
    });
  });

  describe('purchases', () => {
    beforeEach(() =>
      boot({ rewardOffers: [{ name: '10% back', percent: 10 }, { name: 'Welcome', fixedAmount: '0.50' }] }),
    );

    const purchaseBody = (contactId: string, extra: Record<string, unknown> = {}) => ({
      reference_number: 'pepper:app:order:1',
      contact: { id: contactId },
      currency_code: 'EUR',
      date: START_S - 120,
      transaction_amounts: { total: 19.99, net: 16.66, tax: 3.33 },
      products: [{ sku: 'LATTE', name: 'Latte', quantity: 1, total_amount: 19.99 }],
      ...extra,
    });

    it('applies the reward offers as AWARD journals carrying the purchase reference', async () => {
      const contact = sim.addContact();
      const created = await call('POST', '/purchases', { body: purchaseBody(contact.id) });
      expect(created.status).toBe(201);

      const journals = await call('GET', `/journals?reference_number=pepper%3Aapp%3Aorder%3A1&order=ASC`);
      expect(journals.body.content).toEqual([
        expect.objectContaining({ type: 'CREDIT', transaction_type: 'AWARD', amount: 1.99, purchase_id: created.body.id, reference_number: 'pepper:app:order:1', posted_on: START_S, currency: 'EUR', contact: { id: contact.id }, wallet: { id: contact.walletId } }),
        expect.objectContaining({ type: 'CREDIT', transaction_type: 'AWARD', amount: 0.5, purchase_id: created.body.id }),
      ]);
      const purchase = await call('GET', `/purchases/${created.body.id}`);
      expect(purchase.body).toMatchObject({
        reference_number: 'pepper:app:order:1',
        state: 'POSTED',
        date: START_S - 120,
        transaction_amounts: { total: 19.99, net: 16.66, tax: 3.33 },
        products: [{ sku: 'LATTE', name: 'Latte', quantity: 1, total_amount: 19.99 }],
        rewards: { award: 2.49, spend: 0, redeem: 0 },
      });
      expect(sim.walletBalanceMinor(contact.id)).toBe(249);
    });

    it('accepts a duplicate reference number by default, and refuses it when told to', async () => {
      const contact = sim.addContact();
      expect((await call('POST', '/purchases', { body: purchaseBody(contact.id) })).status).toBe(201);
      expect((await call('POST', '/purchases', { body: purchaseBody(contact.id) })).status).toBe(201);
      const listed = await call('GET', '/purchases?reference_number=pepper%3Aapp%3Aorder%3A1');
      expect(listed.body.content).toHaveLength(2);

      sim.rejectDuplicatePurchaseReferences = true;
      const refused = await call('POST', '/purchases', { body: purchaseBody(contact.id) });
      expect(refused.body).toMatchObject({ status: 400, error: 'CRM.EXCEPTIONS.ALREADYEXISTSEXCEPTION', parameters: ['reference_number'] });
      expect(sim.purchases()).toHaveLength(2);
      expect(sim.purchasesAfter(1)).toEqual(sim.purchases().slice(1));
    });

    it('validates amounts, currency, contact and reference, naming the field', async () => {
      const contact = sim.addContact();
      const refusal = async (extra: Record<string, unknown>) => {
        const reply = await call('POST', '/purchases', { body: purchaseBody(contact.id, extra) });
        expect(reply.status).toBe(400);
        return reply.body.parameters;
      };
      expect(await refusal({ transaction_amounts: { total: 0.1 + 0.2 } })).toEqual(['transaction_amounts.total']);
      expect(await refusal({ transaction_amounts: { total: -1 } })).toEqual(['transaction_amounts.total']);
      expect(await refusal({ transaction_amounts: { total: '12.50' } })).toEqual(['transaction_amounts.total']);
      expect(await refusal({ currency_code: 'GBP' })).toEqual(['currency_code']);
      expect(await refusal({ contact: { id: 'missing' } })).toEqual(['contact.id']);
      expect(await refusal({ reference_number: '' })).toEqual(['reference_number']);
      expect(sim.purchases()).toHaveLength(0);
    });

    it('filters purchases by contact and date window', async () => {
      const a = sim.addContact();
      const b = sim.addContact();
      await call('POST', '/purchases', { body: purchaseBody(a.id, { reference_number: 'r1', date: 1000 }) });
      await call('POST', '/purchases', { body: purchaseBody(a.id, { reference_number: 'r2', date: 2000 }) });
      await call('POST', '/purchases', { body: purchaseBody(b.id, { reference_number: 'r3', date: 2000 }) });
      const reply = await call('GET', `/purchases?contact_id=${a.id}&date[gte]=1500&date[lte]=2500`);
      expect(reply.body.content.map((p: { reference_number: string }) => p.reference_number)).toEqual(['r2']);
    });
  });

  describe('journals', () => {
    beforeEach(() => boot());

    it('refuses a DEBIT above the wallet balance with the CRM.COM exception code', async () => {
      const contact = sim.addContact({ balance: '5.00' });
      const journal = (action: string, amount: number) =>
        call('POST', `/contacts/${contact.id}/journals`, {
          body: { action, entity: 'WALLET', amount, currency_code: 'EUR', reference_number: `ref-${action}-${amount}`, notes: 'n' },
        });
      const refused = await journal('DEBIT', 5.01);
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ error: 'CRM.EXCEPTIONS.CANNOTSPENDAMOUNTWALLETBALANCENOTENOUGHEXCEPTION' });
      expect((await journal('DEBIT', 5)).status).toBe(201);
      const credit = await journal('CREDIT', 1.25);
      expect(credit.status).toBe(201);
      expect(sim.walletBalanceMinor(contact.id)).toBe(125);
      expect(sim.journals().at(-1)).toMatchObject({ id: credit.body.id, transactionType: 'ADJUSTMENT', amountMinor: 125 });

      const noWallet = sim.addContact({ withWallet: false });
      const refusedNoWallet = await call('POST', `/contacts/${noWallet.id}/journals`, {
        body: { action: 'CREDIT', entity: 'WALLET', amount: 1, currency_code: 'EUR' },
      });
      expect(refusedNoWallet.status).toBe(400);
      expect(() => sim.posSpend(contact.id, '1.26')).toThrow();
    });

    it('filters a posted_on window and pages in ascending creation order', async () => {
      const contact = sim.addContact();
      sim.posAward(contact.id, '1.00', { postedAt: new Date((START_S - 3600) * 1000) }); // back-dated, outside
      const inWindow: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        inWindow.push(sim.posAward(contact.id, `${i + 1}.00`).id);
        if (i % 2 === 0) advance(1); // several journals share a second
      }
      const late = sim.posAward(contact.id, '9.00', { postedAt: new Date((START_S + 100) * 1000) });

      const seen: string[] = [];
      for (let page = 1; page < 10; page += 1) {
        const reply = await call(
          'GET',
          `/journals?entity=WALLET&posted_on[gte]=${START_S}&posted_on[lt]=${START_S + 100}&sort=CREATED_DATE&order=ASC&page=${page}&size=2`,
        );
        seen.push(...reply.body.content.map((j: { id: string }) => j.id));
        if (!reply.body.paging.has_more) break;
      }
      expect(seen).toEqual(inWindow);

      const inclusive = await call('GET', `/journals?posted_on[gt]=${START_S}&posted_on[lte]=${START_S + 100}&order=ASC&size=100`);
      expect(inclusive.body.content.at(-1).id).toBe(late.id);
      const descending = await call('GET', `/journals?contact_id=${contact.id}&size=1`);
      expect(descending.body.content[0].id).toBe(late.id);
      expect((await call('GET', '/journals?posted_on[gte]=yesterday')).status).toBe(400);
    });

    it('lists only the journals and purchases created after a count', async () => {
      const contact = sim.addContact({ balance: '5.00' });
      const first = sim.journals();
      const award = sim.posAward(contact.id, '1.00');
      expect(sim.journalsAfter(first.length)).toEqual([award]);
      expect(sim.journalsAfter(0)).toEqual(sim.journals());
      expect(sim.journalsAfter(first.length + 1)).toEqual([]);
      expect(sim.purchasesAfter(0)).toEqual([]);
    });

    it('ignores the posted_on filter when told to', async () => {
      const contact = sim.addContact();
      sim.posAward(contact.id, '1.00', { postedAt: new Date(0) });
      sim.ignoredFilters.add('posted_on');
      const reply = await call('GET', `/journals?posted_on[gte]=${START_S}`);
      expect(reply.body.content).toHaveLength(1);
    });
  });

  describe('faults', () => {
    beforeEach(() => boot());

    it('answers an injected 503 once, then normally', async () => {
      sim.faults.add({ method: 'GET', path: /^\/contacts$/, fault: { kind: 'status', status: 503 }, times: 1 });
      expect((await call('GET', '/contacts')).status).toBe(503);
      expect((await call('GET', '/contacts')).status).toBe(200);
      expect(sim.faults.injectedCount).toBe(1);
      expect(sim.requests).toHaveLength(2);
    });
  });

  describe('reset', () => {
    beforeEach(() => boot());

    it('empties the back office', async () => {
      sim.addContact({ balance: '1.00' });
      await call('GET', '/contacts');
      sim.ignoredFilters.add('code');
      sim.reset();
      expect([sim.contacts(), sim.journals(), sim.requests, [...sim.ignoredFilters]]).toEqual([[], [], [], []]);
    });
  });
});

describe('money', () => {
  it('reads decimal text into minor units without floating-point error', () => {
    expect(majorTextToMinor('19.99')).toBe(1999);
    expect(majorTextToMinor('0.1')).toBe(10);
    expect(majorTextToMinor('12')).toBe(1200);
    expect(majorTextToMinor('1.234')).toBeUndefined();
    expect(majorTextToMinor('-1')).toBeUndefined();
    expect(wireAmountToMinor(1.005)).toBeUndefined();
    expect(wireAmountToMinor(4.35)).toBe(435);
  });

  it('takes an exact percentage, rounded down', () => {
    expect(percentOfMinor(1999, 10)).toBe(199);
    expect(percentOfMinor(1000, 0.1)).toBe(1);
    expect(percentOfMinor(999, 2.5)).toBe(24);
  });
});
