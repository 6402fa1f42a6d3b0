import { ShapeError } from '../upstream/json-shape';
import {
  parsePepperAction,
  parsePepperAward,
  parsePepperPerk,
  parsePepperUser,
  pepperExternalId,
  readPepperListPage,
} from './pepper.parsers';

describe('parsePepperUser', () => {
  it('fills safe defaults for fields a user may leave out', () => {
    expect(parsePepperUser({ id: 'u1' })).toEqual({
      id: 'u1',
      firstName: null,
      lastName: null,
      deleted: false,
      hasAgreedToReceiveMarketing: false,
      credentials: [],
      updatedAt: null,
    });
  });

  it('never treats a credential of unknown verification as verified', () => {
    const user = parsePepperUser({ id: 'u1', credentials: [{ id: '+447911123456', provider: 'MOBILE' }] });
    expect(user.credentials).toEqual([
      { id: '+447911123456', provider: 'MOBILE', isVerified: false, isPrimary: false },
    ]);
  });

  it.each([
    [{ firstName: 'no id' }, /"id"/],
    [{ id: 'u1', deleted: 'yes' }, /"deleted"/],
    [{ id: 'u1', credentials: [{ id: 'a@b.c' }] }, /"credentials\[0\]": "provider"/],
    [{ id: 'u1', credentials: 'a@b.c' }, /"credentials"/],
    ['u1', /not an object/],
  ])('refuses %p', (raw, reason) => {
    expect(() => parsePepperUser(raw)).toThrow(ShapeError);
    expect(() => parsePepperUser(raw)).toThrow(reason);
  });
});

describe('parsePepperPerk', () => {
  it('reads the id from _id and treats a missing enabled as disabled', () => {
    expect(parsePepperPerk({ _id: 'p1', template: 'PSEUDO_CURRENCY', title: 'Wallet' })).toEqual({
      id: 'p1',
      template: 'PSEUDO_CURRENCY',
      title: 'Wallet',
      enabled: false,
    });
  });
});

describe('parsePepperAward', () => {
  it('requires an integer, non-negative points.available', () => {
    const base = { _id: 'a1', userId: 'u1', perkId: 'p1' };
    expect(parsePepperAward({ ...base, points: { available: 0 } }).pointsAvailable).toBe(0);
    for (const points of [{ available: 1.5 }, { available: -1 }, { available: '3' }, {}, 5, undefined]) {
      expect(() => parsePepperAward({ ...base, points })).toThrow(ShapeError);
    }
  });

  it('takes userId and perkId from the request when the answer leaves them out', () => {
    expect(parsePepperAward({ _id: 'a1', points: { available: 2 } }, { userId: 'u1', perkId: 'p1' })).toMatchObject({
      userId: 'u1',
      perkId: 'p1',
    });
    expect(() => parsePepperAward({ _id: 'a1', points: { available: 2 } }, { userId: 'u1' })).toThrow(/"perkId"/);
  });
});

describe('parsePepperAction', () => {
  it('reads user and location from the context, normalising the timestamp', () => {
    const raw = {
      _id: 'x1',
      type: 'ORDER_COMPLETED',
      when: { timestamp: '2026-03-05T13:37:52.194+01:00' },
      context: { user: { _id: 'u1' }, location: { _id: 'l1' } },
      metadata: { orderId: 'o1' },
    };
    expect(parsePepperAction(raw)).toEqual({
      id: 'x1',
      type: 'ORDER_COMPLETED',
      timestamp: '2026-03-05T12:37:52.194Z',
      userId: 'u1',
      locationId: 'l1',
      metadata: { orderId: 'o1' },
      raw,
    });
  });

  it('answers null user and location, and empty metadata, when absent', () => {
    expect(parsePepperAction({ _id: 'x1', type: 'NOOP', when: { timestamp: '2026-01-01T00:00:00Z' } })).toMatchObject({
      userId: null,
      locationId: null,
      metadata: {},
    });
  });

  it.each([
    [{ type: 'NOOP', when: { timestamp: '2026-01-01T00:00:00Z' } }],
    [{ _id: 'x1', type: 'NOOP' }],
    [{ _id: 'x1', type: 'NOOP', when: { timestamp: 'yesterday' } }],
    [{ _id: 'x1', type: 'NOOP', when: { timestamp: '2026-01-01T00:00:00Z' }, context: { user: { _id: 7 } } }],
  ])('refuses %p', (raw) => {
    expect(() => parsePepperAction(raw)).toThrow(ShapeError);
  });
});

describe('readPepperListPage', () => {
  it('reads items or actions, with or without a page', () => {
    expect(readPepperListPage({ items: [1], page: { nextKey: 'k' } }, ['items', 'actions'])).toEqual({
      rawItems: [1],
      nextKey: 'k',
      hasPage: true,
    });
    // The Platform API's actions example has no page: "no nextKey" then does not mean "the last page".
    expect(readPepperListPage({ actions: [2] }, ['items', 'actions'])).toEqual({ rawItems: [2], nextKey: null, hasPage: false });
    expect(readPepperListPage({ items: [], page: { nextKey: '' } }, ['items'])).toEqual({
      rawItems: [],
      nextKey: null,
      hasPage: true,
    });
  });

  it('refuses a body without the list', () => {
    expect(() => readPepperListPage({ items: 'x' }, ['items', 'actions'])).toThrow(/"items" or "actions"/);
    expect(() => readPepperListPage(null, ['items'])).toThrow(ShapeError);
    expect(() => readPepperListPage({ items: [], page: 3 }, ['items'])).toThrow(ShapeError);
  });
});

describe('pepperExternalId', () => {
  it('reads _id or id', () => {
    expect(pepperExternalId({ _id: 'a' })).toBe('a');
    expect(pepperExternalId({ id: 'u' })).toBe('u');
    expect(pepperExternalId({})).toBeNull();
    expect(pepperExternalId('x')).toBeNull();
  });
});
