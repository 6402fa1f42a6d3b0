import { ShapeError } from '../upstream/json-shape';
import { parseCrmContact, parseCrmJournal, parseCrmTokens, parseCrmWallet, readCrmListPage } from './crmcom.parsers';

describe('parseCrmJournal', () => {
  const base = { id: 'j1', type: 'CREDIT', amount: '12.50', posted_on: 1767268800, contact: { id: 'c1' } };

  it('reads amounts from their decimal text into minor units', () => {
    expect(parseCrmJournal(base)).toMatchObject({ amountMinor: 1250, walletId: null, referenceNumber: null });
    expect(parseCrmJournal({ ...base, amount: 19.99 }).amountMinor).toBe(1999);
  });

  it.each([
    [{ type: 'TRANSFER' }, /"type"/],
    [{ amount: 0.1 + 0.2 }, /"amount"/],
    [{ amount: null }, /"amount"/],
    [{ posted_on: '2026-01-01' }, /"posted_on"/],
    [{ posted_on: undefined }, /"posted_on"/],
    [{ contact: null }, /"contact.id"/],
    [{ contact: 'c1' }, /"contact"/],
  ])('refuses %p', (change, reason) => {
    expect(() => parseCrmJournal({ ...base, ...change })).toThrow(ShapeError);
    expect(() => parseCrmJournal({ ...base, ...change })).toThrow(reason);
  });
});

describe('parseCrmJournal, documented shapes', () => {
  it('accepts an item that names only its wallet (the documented journal list), and reads its entity', () => {
    const item = { id: 'j2', type: 'DEBIT', amount: 3, posted_on: 1767268800, wallet: { id: 'w9' }, entity: 'WALLET' };
    expect(parseCrmJournal(item)).toMatchObject({ contactId: null, walletId: 'w9', entity: 'WALLET' });
    expect(parseCrmJournal({ ...item, wallet: undefined, account: { id: 'a1' } })).toMatchObject({ walletId: 'a1' });
  });
});

describe('parseCrmContact', () => {
  it('reads the email under either documented name', () => {
    expect(parseCrmContact({ id: 'c1', email: 'a@example.com' }).email).toBe('a@example.com');
    expect(parseCrmContact({ id: 'c1', email_address: 'b@example.com' }).email).toBe('b@example.com');
  });

  it("reads the wallet's total balance when the contact shows it with its wallet, and none when it shows only {id, code}", () => {
    expect(parseCrmContact({ id: 'c1', wallet: { id: 'w1', code: 'W1', total_balance: 12.5 } })).toMatchObject({ walletId: 'w1', walletBalanceMinor: 1250 });
    expect(parseCrmContact({ id: 'c1', wallet: { id: 'w1', code: 'W1' } })).toMatchObject({ walletId: 'w1', walletBalanceMinor: null });
    expect(parseCrmContact({ id: 'c1', wallet: null })).toMatchObject({ walletId: null, walletBalanceMinor: null });
    expect(() => parseCrmContact({ id: 'c1', wallet: { id: 'w1', total_balance: 'lots' } })).toThrow(/wallet.*total_balance/);
  });
});

describe('parseCrmWallet', () => {
  it('accepts a flat contact_id and a currency field', () => {
    expect(parseCrmWallet({ id: 'w1', contact_id: 'c1', currency: 'EUR', total_balance: 0 })).toEqual({
      id: 'w1',
      contactId: 'c1',
      currency: 'EUR',
      balanceMinor: 0,
    });
  });
});

describe('parseCrmTokens', () => {
  it('reads expiration_date or exp', () => {
    expect(parseCrmTokens({ access_token: 'a', refresh_token: 'r', expiration_date: 10 })).toEqual({
      accessToken: 'a',
      refreshToken: 'r',
      expiresAt: 10,
    });
    expect(parseCrmTokens({ access_token: 'a', exp: 11 })).toEqual({
      accessToken: 'a',
      refreshToken: null,
      expiresAt: 11,
    });
  });

  it('reads an expiry given as a numeric string', () => {
    expect(parseCrmTokens({ access_token: 'a', expiration_date: '1767268800' }).expiresAt).toBe(1767268800);
    expect(parseCrmTokens({ access_token: 'a', exp: ' 42 ' }).expiresAt).toBe(42);
    expect(() => parseCrmTokens({ access_token: 'a', exp: 'soon' })).toThrow(ShapeError);
  });

  it('refuses an answer without a token or expiry', () => {
    expect(() => parseCrmTokens({ access_token: 'a' })).toThrow(ShapeError);
    expect(() => parseCrmTokens({ expiration_date: 10 })).toThrow(ShapeError);
  });
});

describe('readCrmListPage', () => {
  it('reads content and has_more; without paging it does not know (never "the last page")', () => {
    expect(readCrmListPage({ content: [1], paging: { has_more: true } })).toEqual({ rawItems: [1], hasMore: true });
    expect(readCrmListPage({ content: [1], paging: { has_more: false } })).toEqual({ rawItems: [1], hasMore: false });
    expect(readCrmListPage({ content: [] })).toEqual({ rawItems: [], hasMore: null });
    expect(readCrmListPage({ content: [], paging: {} })).toEqual({ rawItems: [], hasMore: null });
    expect(() => readCrmListPage({ content: [], paging: { has_more: 'yes' } })).toThrow(/has_more/);
    expect(() => readCrmListPage({ items: [] })).toThrow(/"content"/);
  });
});
