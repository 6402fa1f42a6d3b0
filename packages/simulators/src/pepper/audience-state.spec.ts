import { PepperAudiences } from './audience-state';
import { CrmAudienceStore } from '../crmcom/audience-store';

describe('simulated segments, notifications and products: documented limits', () => {
  const users = new Map([['u1', { marketing: true }], ['u2', { marketing: false }]]);
  const audiences = () => new PepperAudiences(() => new Date('2026-01-01T00:00:00Z'), 'ten', { user: (id) => users.get(id) });

  it('takes 1 to 100 user ids per membership call; adding twice and removing a non-member are safe', () => {
    const a = audiences();
    const segment = a.createSegment({ title: 'S', type: 'PERSISTENT' });
    expect(() => a.addMembers(segment._id, Array.from({ length: 101 }, () => 'u1'))).toThrow(/1 to 100/);
    expect(() => a.addMembers(segment._id, [])).toThrow(/1 to 100/);
    expect(() => a.addMembers(segment._id, { ids: ['u1'] })).toThrow(/JSON array/);
    expect(a.addMembers(segment._id, ['u1', 'u2'])).toBe(2);
    expect(a.addMembers(segment._id, ['u1'])).toBe(0);
    expect(a.removeMembers(segment._id, ['u1', 'nobody'])).toBe(1);
    expect(a.members(segment._id)).toEqual(['u2']);
  });

  it('skips marketing messages to users who opted out, answers PENDING first and DONE after', () => {
    const a = audiences();
    const n = a.notify({ message: 'm', isProcessingMessage: false }, { userIds: ['u1', 'u2', 'gone'] });
    expect(n).toMatchObject({ sent: 1, skipped: 1, failures: 1 });
    expect(a.readNotification(n._id).status).toBe('PENDING');
    expect(a.readNotification(n._id).status).toBe('DONE');
    expect(a.receipts({ userId: 'u1' })).toHaveLength(1);
  });

  it('synchronises at most 1,000 products per call, upserting by code', () => {
    const store = new CrmAudienceStore(() => 0);
    expect(() => store.synchronise(Array.from({ length: 1001 }, (_, i) => ({ code: `p${i}` })))).toThrow(/at most 1000/);
    store.synchronise([{ code: 'p1', description: 'One' }]);
    store.synchronise([{ code: 'p1', description: 'Uno' }]);
    expect([...store.products.values()]).toMatchObject([{ sku: 'p1', name: 'Uno', writes: 2 }]);
    expect(store.synchroniseCalls).toEqual([1, 1]);
  });
});
