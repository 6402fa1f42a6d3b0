import type { CrmJournal } from '../../crmcom/crmcom.types';
import { classifyJournal, JournalRulesContext, ownReferencePrefixes } from './journal-rules';

const ctx: JournalRulesContext = { applicationId: 'app1', currency: 'EUR', ownJournalIds: new Set(['jr-own']) };

function journal(overrides: Partial<CrmJournal> = {}): CrmJournal {
  return {
    id: 'jr-1',
    type: 'CREDIT',
    transactionType: 'AWARD',
    amountMinor: 250,
    currency: 'EUR',
    postedOn: 1_714_557_600,
    contactId: 'contact-1',
    walletId: 'wallet-1',
    entity: null,
    referenceNumber: null,
    purchaseId: null,
    ...overrides,
  };
}

describe('classifyJournal', () => {
  describe("the connector's own mirrors", () => {
    it('skips a journal whose id the connector wrote', () => {
      expect(classifyJournal(journal({ id: 'jr-own' }), ctx)).toEqual({ kind: 'SKIP', reason: expect.stringMatching(/^own mirror/) });
    });

    it.each(['pepper:app1:action:act-9', 'pepper:app1:opening:usr-1'])('skips reference %s', (referenceNumber) => {
      expect(classifyJournal(journal({ referenceNumber, type: 'DEBIT' }), ctx)).toEqual({
        kind: 'SKIP',
        reason: expect.stringMatching(/^own mirror/),
      });
    });

    it('skips an own mirror even when its amount or currency would otherwise park it', () => {
      expect(classifyJournal(journal({ id: 'jr-own', currency: 'GBP' }), ctx).kind).toBe('SKIP');
    });

    it("applies another merchant's connector reference (not ours)", () => {
      expect(classifyJournal(journal({ referenceNumber: 'pepper:other-app:action:act-9' }), ctx)).toEqual({
        kind: 'CREDIT',
        amountMinor: 250,
      });
      expect(classifyJournal(journal({ referenceNumber: 'pepper:app10:action:act-9' }), ctx).kind).toBe('CREDIT');
    });

    it('applies a reference that only contains our prefix further in', () => {
      expect(classifyJournal(journal({ referenceNumber: 'x-pepper:app1:action:act-9' }), ctx).kind).toBe('CREDIT');
    });

    it('lists exactly the action and opening prefixes', () => {
      expect(ownReferencePrefixes('app1')).toEqual(['pepper:app1:action:', 'pepper:app1:opening:']);
    });
  });

  it('credits Pepper with the reward-offer award on our purchase (order reference is not a mirror)', () => {
    const award = journal({ referenceNumber: 'pepper:app1:order:ord-42', purchaseId: 'pur-1', amountMinor: 125 });
    expect(classifyJournal(award, ctx)).toEqual({ kind: 'CREDIT', amountMinor: 125 });
  });

  it('maps CREDIT to CREDIT and DEBIT to DEBIT with the amount', () => {
    expect(classifyJournal(journal({ type: 'CREDIT', amountMinor: 1 }), ctx)).toEqual({ kind: 'CREDIT', amountMinor: 1 });
    expect(classifyJournal(journal({ type: 'DEBIT', transactionType: 'SPEND', amountMinor: 999 }), ctx)).toEqual({
      kind: 'DEBIT',
      amountMinor: 999,
    });
  });

  it('skips a zero amount', () => {
    expect(classifyJournal(journal({ amountMinor: 0 }), ctx)).toEqual({ kind: 'SKIP', reason: expect.stringMatching(/^zero amount/) });
  });

  it('reads a DEBIT written with a negative amount by its sign: a debit of the absolute amount, never skipped', () => {
    expect(classifyJournal(journal({ type: 'DEBIT', amountMinor: -500 }), ctx)).toEqual({ kind: 'DEBIT', amountMinor: 500 });
  });

  it('parks a CREDIT with a negative amount: its meaning is ambiguous', () => {
    expect(classifyJournal(journal({ type: 'CREDIT', amountMinor: -5 }), ctx)).toEqual({ kind: 'PARK', reason: expect.stringContaining('negative') });
  });

  it('parks a journal in another currency, naming both', () => {
    const result = classifyJournal(journal({ currency: 'GBP' }), ctx);
    expect(result).toEqual({ kind: 'PARK', reason: expect.stringContaining('"GBP"') });
    expect(result).toEqual({ kind: 'PARK', reason: expect.stringContaining('"EUR"') });
  });

  it('takes a missing or blank currency to be the wallet currency, and compares codes case-insensitively', () => {
    expect(classifyJournal(journal({ currency: null }), ctx).kind).toBe('CREDIT');
    expect(classifyJournal(journal({ currency: '' }), ctx).kind).toBe('CREDIT');
    expect(classifyJournal(journal({ currency: 'eur' }), ctx).kind).toBe('CREDIT');
  });

  it('parks what the typed contract should have prevented: an unknown type or a fractional amount', () => {
    expect(classifyJournal(journal({ type: 'REFUND' as CrmJournal['type'] }), ctx)).toEqual({
      kind: 'PARK',
      reason: 'unknown journal type "REFUND"',
    });
    expect(classifyJournal(journal({ amountMinor: 1.5 }), ctx).kind).toBe('PARK');
    expect(classifyJournal(journal({ amountMinor: Number.NaN }), ctx).kind).toBe('PARK');
  });
});
