import { crmPhoneToE164 } from '../../src/common/phone';
import { crmComErrorFromFailure, isWalletBalanceNotEnough } from '../../src/crmcom/crmcom.error';
import {
  accountItemsOf,
  parseCreatedId,
  parseCrmAccount,
  parseCrmContact,
  parseCrmJournal,
  parseCrmPurchase,
  parseCrmTokens,
  parseCrmWallet,
  readCrmListPage,
} from '../../src/crmcom/crmcom.parsers';
import { ShapeError } from '../../src/upstream/json-shape';
import { fixture, fixtureObject } from './contract-fixtures';

/**
 * CRM.COM's documented example bodies (test/fixtures/crmcom, sources in SOURCES.md) through the connector's parsers.
 * Seed 003 is the Self-Service API v1; `*.docs.json` come from crmcom-api.md where the seed prints no body.
 */

function refusal(read: () => unknown): string {
  try {
    read();
  } catch (err) {
    if (err instanceof ShapeError) return err.message;
    throw err;
  }
  throw new Error('expected the body to be refused');
}

function itemsOf(file: string): unknown[] {
  return readCrmListPage(fixture(file)).rawItems;
}

describe('CRM.COM contacts', () => {
  it('reads the v1 contact example (seed 003): no email, phone or wallet in it', () => {
    expect(parseCrmContact(fixture('crmcom/contact.seed003.json'))).toEqual({
      id: 'CAD1E31269B76D7A65ACCE45B2E68DFD',
      code: 'ABC-123',
      firstName: 'John',
      lastName: 'Doe',
      email: null,
      phoneNumber: null,
      walletId: null,
      walletBalanceMinor: null,
      emailOptOut: false,
      smsOptOut: false,
    });
  });

  it('reads the documented phone{type, country_code ISO-3, number national} into E.164, and the wallet', () => {
    expect(parseCrmContact(fixture('crmcom/contact.docs.json'), 'GB')).toEqual({
      id: '6a5a3d83-5c3e-4b4f-9e0f-6c2a2b1c7d11',
      code: 'PEPPER-USER-1',
      firstName: 'John',
      lastName: 'Doe',
      email: 'johndoe@crm.com',
      phoneNumber: '+447911123456',
      walletId: '0b2f69e7-a9a6-2e6f-b1f2-0a643d9ca6b7',
      // the documented contact shows its wallet as {id, code}: no balance, so a matched user's wallet is read
      walletBalanceMinor: null,
      emailOptOut: true,
      smsOptOut: false,
    });
  });

  it('reads the country from the phone, not from PHONE_DEFAULT_REGION', () => {
    expect(parseCrmContact(fixture('crmcom/contact.docs.json'), 'CY').phoneNumber).toBe('+447911123456');
  });

  it('reads the v1 phones list (ISO-2 country_code "CY", no paging) into E.164', () => {
    const page = readCrmListPage(fixture('crmcom/contact-phones-list.seed003.json'));
    expect(page.hasMore).toBeNull();
    expect(page.rawItems.map((phone) => crmPhoneToE164(phone, 'GB'))).toEqual(['+35791000000']);
  });

  it.each(['crmcom/contact-phone-create.request.seed003.json', 'crmcom/contact-phone-update.request.seed003.json'])(
    'reads the phone of %s into E.164',
    (file) => {
      expect(crmPhoneToE164(fixture(file), 'GB')).toBe('+35791000000');
    },
  );
});

describe('CRM.COM accounts', () => {
  it('reads the nested account list (content[{accounts: […]}]); paging without has_more is "unknown", not "last"', () => {
    const page = readCrmListPage(fixture('crmcom/accounts-list.seed003.json'));
    expect(page.hasMore).toBeNull();
    const accounts = page.rawItems.flatMap(accountItemsOf).map(parseCrmAccount);
    expect(accounts).toEqual([{ id: 'CAD1E31269B76D7A65ACCE45B2E68DFD', isPrimary: true, currency: 'EUR' }]);
  });

  it('reads a flat account item as itself', () => {
    const [account] = itemsOf('crmcom/accounts-list.seed003.json').flatMap(accountItemsOf);
    expect(accountItemsOf(account)).toEqual([account]);
  });

  it('reads the account rewards example as an account (not primary: it does not say)', () => {
    expect(parseCrmAccount(fixture('crmcom/account-rewards.seed003.json'))).toEqual({
      id: 'CAD1E31269B76D7A65ACCE45B2E68DFD',
      isPrimary: false,
      currency: 'EUR',
    });
  });

  it('refuses the financials example as an account: it carries no id (and is_primary is the string "true")', () => {
    // The connector does not call GET /accounts/{id}/financials.
    expect(refusal(() => parseCrmAccount(fixture('crmcom/account-financials.seed003.json')))).toBe('"id" must be a non-empty string');
    const withId = { ...fixtureObject('crmcom/account-financials.seed003.json'), id: 'acc-1' };
    expect(refusal(() => parseCrmAccount(withId))).toBe('"is_primary" must be a boolean when present');
  });
});

describe('CRM.COM wallets', () => {
  it('reads the documented wallet (SSv2 GET /wallets/{id}): total_balance in minor units', () => {
    expect(parseCrmWallet(fixture('crmcom/wallet.docs.json'))).toEqual({
      id: '0b2f69e7-a9a6-2e6f-b1f2-0a643d9ca6b7',
      contactId: null,
      // SSv2 gives the currency only per balance (balances[].currency_code)
      currency: null,
      balanceMinor: 15050,
    });
  });

  it('refuses the v1 financials wallet: it names its balance `balance`, not `total_balance`', () => {
    // v1 (S003) nests wallets under the account's financials; the connector reads GET /wallets/{id} (crmcom-api.md §5.5).
    const [wallet] = fixtureObject('crmcom/account-financials.seed003.json').wallet as unknown[];
    expect(refusal(() => parseCrmWallet(wallet))).toBe('"total_balance" must be an amount');
  });

  it('reads the balances-per-spend-condition list envelope (no has_more)', () => {
    const page = readCrmListPage(fixture('crmcom/wallet-balances-list.seed003.json'));
    expect(page).toMatchObject({ hasMore: null });
    expect(page.rawItems).toHaveLength(1);
  });
});

describe('CRM.COM purchases', () => {
  it('reads the v1 purchase list item: id and reference_number (what the read-back matches on)', () => {
    const [purchase] = itemsOf('crmcom/purchases-list.seed003.json').map(parseCrmPurchase);
    // v1 names the total `total_amount` and the date `performed_on`, and books to `account_id`: not read, as the
    // connector reads the SSv2/BO shape (transaction_amounts.total, date, contact.id) and uses only the reference.
    expect(purchase).toEqual({ id: '6A24D2B5E44F44B28451FE021FCAD51E', referenceNumber: '0012345', contactId: null, totalMinor: null, date: null });
  });

  it('says the purchase list paging does not tell whether there is more', () => {
    expect(readCrmListPage(fixture('crmcom/purchases-list.seed003.json')).hasMore).toBeNull();
  });
});

describe('CRM.COM journals (crmcom-api.md §5.9: no seed prints one)', () => {
  const page = readCrmListPage(fixture('crmcom/journals-list.docs.json'));

  it('reads the list envelope with has_more', () => {
    expect(page.hasMore).toBe(false);
    expect(page.rawItems).toHaveLength(2);
  });

  it('refuses a documented item as it comes from /wallets/{id}/journals: the wallet is only in the path', () => {
    // The connector reads GET /journals?entity=WALLET, where an item must name its wallet (or contact) to reach a user.
    expect(refusal(() => parseCrmJournal(page.rawItems[0]))).toBe('names neither "contact.id" nor "wallet.id": no way to the customer');
  });

  it('reads the documented items once they name their wallet: type, amount in minor units, transaction type, posted_on', () => {
    const journals = page.rawItems.map((item) => parseCrmJournal({ ...(item as object), wallet: { id: 'w1' } }));
    expect(journals).toEqual([
      expect.objectContaining({ type: 'CREDIT', amountMinor: 1250, currency: 'EUR', transactionType: 'AWARD', postedOn: 1700000000, walletId: 'w1' }),
      expect.objectContaining({ type: 'DEBIT', amountMinor: 200, currency: 'EUR', transactionType: 'SPEND', postedOn: 1700000100, contactId: null }),
    ]);
  });
});

describe('CRM.COM tokens', () => {
  it.each([
    'crmcom/tokens-authenticate-email.response.seed003.json',
    'crmcom/tokens-authenticate-google.response.seed003.json',
    'crmcom/tokens-refresh.response.seed003.json',
    'crmcom/tokens-validate-otp.response.seed003.json',
    'crmcom/tokens-organisation-switch.response.seed003.json',
    'crmcom/contact-register-email.response.seed003.json',
  ])('reads %s: `exp` as a numeric string, no refresh token', (file) => {
    const tokens = parseCrmTokens(fixture(file));
    expect(tokens).toEqual({ accessToken: expect.stringMatching(/^eyJhbGciOiJIUzUxMiJ9\./), refreshToken: null, expiresAt: 1572530655 });
  });

  it('reads the Back-Office answer: expiration_date as a number, and the refresh token', () => {
    expect(parseCrmTokens(fixture('crmcom/tokens-backoffice.docs.json'))).toEqual({
      accessToken: 'eyJhbGciOiJIUzUxMiJ9.backoffice-access',
      refreshToken: 'eyJhbGciOiJIUzUxMiJ9.backoffice-refresh',
      expiresAt: 1700003600,
    });
  });
});

describe('CRM.COM created ids', () => {
  it.each([
    'crmcom/account-create.response.seed003.json',
    'crmcom/contact-phone-create.response.seed003.json',
    'crmcom/wallet-action.response.seed003.json',
  ])('reads the id of %s', (file) => {
    expect(parseCreatedId(fixture(file))).toBe('CAD1E31269B76D7A65ACCE45B2E68DFD');
  });

  it('reads the id of the consents answer', () => {
    expect(parseCreatedId(fixture('crmcom/contact-consents.response.seed003.json'))).toBe('658AB90A6A77437091D158FD8E697B11');
  });
});

describe('CRM.COM error body {status, message, error, parameters}', () => {
  const failureWith = (status: number, body: unknown) =>
    crmComErrorFromFailure({ kind: 'status', status, body, retryAfterMs: null, method: 'POST', path: '/purchases', attempts: 1, outcomeUnknown: false }, []);

  it('reads the documented all-null body as an error without an exception code', () => {
    const error = failureWith(500, fixture('crmcom/error.docs.json'));
    expect(error.crmException).toBeNull();
    expect(isWalletBalanceNotEnough(error)).toBe(false);
  });

  it('reads the exception code from `error`', () => {
    const error = failureWith(400, fixture('crmcom/error-balance-not-enough.docs.json'));
    expect(error.crmException).toBe('CRM.EXCEPTIONS.CANNOTSPENDAMOUNTWALLETBALANCENOTENOUGHEXCEPTION');
    expect(isWalletBalanceNotEnough(error)).toBe(true);
  });
});
