import { formatKey, keyPrefix, LedgerKey, openingEventId, parseKey } from './keys';

describe('ledger keys', () => {
  const samples: LedgerKey[] = [
    { kind: 'order', applicationId: 'app', orderId: 'ord-1' },
    { kind: 'action', applicationId: 'app', actionId: 'act_000001' },
    { kind: 'opening', applicationId: 'app', pepperUserId: 'usr_1' },
    { kind: 'opening-sync', applicationId: 'app', pepperUserId: 'usr_1', contactId: 'c-9' },
    { kind: 'contact', applicationId: 'app', pepperUserId: 'usr_1' },
    { kind: 'account', applicationId: 'app', contactId: 'c-9' },
    { kind: 'reconcile', applicationId: 'app', runId: 'run-3', pepperUserId: 'usr_1' },
    { kind: 'profile', applicationId: 'app', pepperUserId: 'usr_1', fingerprint: 'f00d' },
    { kind: 'journal', journalId: 'j-1' },
    { kind: 'notification', eventId: 'evt-1' },
    { kind: 'campaign', applicationId: 'app', campaignId: 'cmp-1' },
    { kind: 'segment', applicationId: 'app', source: 'tier:gold', generation: 2 },
  ];

  it.each(samples)('formats and parses back %o', (key) => {
    expect(parseKey(formatKey(key))).toEqual(key);
  });

  it('keeps the wire forms merchants and CRM.COM already hold', () => {
    expect(formatKey({ kind: 'order', applicationId: 'm1', orderId: '42' })).toBe('pepper:m1:order:42');
    expect(formatKey({ kind: 'action', applicationId: 'm1', actionId: 'a' })).toBe('pepper:m1:action:a');
    expect(formatKey({ kind: 'journal', journalId: 'j' })).toBe('crmcom:journal:j');
    expect(openingEventId('u', 'c')).toBe('opening:u:c');
  });

  it('prefixes match exactly the keys of their kind', () => {
    const action = formatKey({ kind: 'action', applicationId: 'app', actionId: 'x' });
    expect(action.startsWith(keyPrefix('action', 'app'))).toBe(true);
    expect(action.startsWith(keyPrefix('action', 'ap'))).toBe(false);
    expect(formatKey({ kind: 'journal', journalId: 'j' }).startsWith(keyPrefix('journal'))).toBe(true);
  });

  it('refuses strings that are not the connector keys', () => {
    for (const text of ['', 'pepper:app', 'pepper:app:refund:1', 'other:journal:1', 'pepper:app:reconcile:nouser']) {
      expect(parseKey(text)).toBeNull();
    }
  });
});
