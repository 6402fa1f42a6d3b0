import { readAwardMovement } from '../../src/loyalty/rules/action-movement';
import { mapOrderToPurchase } from '../../src/loyalty/rules/order-mapper';
import {
  parsePepperAction,
  parsePepperAward,
  parsePepperCredential,
  parsePepperPerk,
  parsePepperUser,
  readPepperListPage,
} from '../../src/pepper/pepper.parsers';
import { ShapeError } from '../../src/upstream/json-shape';
import { fixture, fixtureObject } from './contract-fixtures';

/**
 * Pepper's documented example bodies (test/fixtures/pepper, sources in SOURCES.md) through the connector's parsers.
 * Seed 002 is a dump that collapsed every nested object and array: where that limits an assertion, the test says so.
 */

const LIST_ENVELOPES = ['items', 'actions'];

function refusal(read: () => unknown): string {
  try {
    read();
  } catch (err) {
    if (err instanceof ShapeError) return err.message;
    throw err;
  }
  throw new Error('expected the body to be refused');
}

describe('Pepper list envelopes', () => {
  it('reads the users paging example of seed 000: page.nextKey is the next startKey', () => {
    const first = readPepperListPage(fixture('pepper/users-page-1.seed000.json'), LIST_ENVELOPES);
    expect(first).toEqual({ rawItems: [{}], nextKey: 'yyyyyyy', hasPage: true });
    const second = readPepperListPage(fixture('pepper/users-page-2.seed000.json'), LIST_ENVELOPES);
    expect(second).toEqual({ rawItems: [{}], nextKey: 'zzzzzzz', hasPage: true });
  });

  it('refuses the elided user item of seed 000 (the document prints `{ ... }`): no id', () => {
    expect(refusal(() => parsePepperUser({}))).toBe('"id" must be a non-empty string');
  });

  it.each([
    'pepper/users-list.seed002.json',
    'pepper/users-lookup.response.seed002.json',
    'pepper/awards-list.seed002.json',
    'pepper/perks-list.seed002.json',
  ])('reads %s as items + page (page collapsed by the dump: no nextKey, so the last page)', (file) => {
    expect(readPepperListPage(fixture(file), LIST_ENVELOPES)).toEqual({ rawItems: [], nextKey: null, hasPage: true });
  });

  it('reads the awards example of seed 001 (`page: {...}` elided): a page without nextKey is the last one', () => {
    expect(readPepperListPage(fixture('pepper/awards-page.seed001.json'), LIST_ENVELOPES)).toEqual({
      rawItems: [{}],
      nextKey: null,
      hasPage: true,
    });
  });

  it('reads the Get Actions example `{actions: []}` and says it had no page (so a full page is not taken for the last)', () => {
    expect(readPepperListPage(fixture('pepper/actions-list.seed002.json'), LIST_ENVELOPES)).toEqual({
      rawItems: [],
      nextKey: null,
      hasPage: false,
    });
  });

  it("reads a user's point awards `{awards: []}` with the envelope the client asks for", () => {
    expect(readPepperListPage(fixture('pepper/user-pointawards.seed002.json'), ['awards', 'items'])).toEqual({
      rawItems: [],
      nextKey: null,
      hasPage: false,
    });
  });
});

describe('Pepper users', () => {
  it.each(['pepper/user.seed002.json', 'pepper/user-create.response.seed002.json', 'pepper/user-update.response.seed002.json'])(
    'reads %s (v4+: the id is `id`)',
    (file) => {
      expect(parsePepperUser(fixture(file))).toEqual({
        id: 'string',
        firstName: 'string',
        lastName: 'string',
        deleted: true,
        hasAgreedToReceiveMarketing: true,
        credentials: [],
        updatedAt: 'string',
      });
    },
  );

  it('reads a user whose credentials (collapsed by the dump) hold the documented credential example', () => {
    const user = { ...fixtureObject('pepper/user.seed002.json'), credentials: [fixture('pepper/credential-verify.response.seed002.json')] };
    expect(parsePepperUser(user).credentials).toEqual([{ id: 'user@pepperhq.com', provider: 'EMAIL', isVerified: true, isPrimary: false }]);
  });
});

describe('Pepper credentials', () => {
  it('reads the created (unverified) credential', () => {
    expect(parsePepperCredential(fixture('pepper/credential-create.response.seed002.json'))).toEqual({
      id: 'user@pepperhq.com',
      provider: 'EMAIL',
      isVerified: false,
      isPrimary: false,
    });
  });

  it('reads the verified credential', () => {
    expect(parsePepperCredential(fixture('pepper/credential-verify.response.seed002.json'))).toMatchObject({ isVerified: true });
  });

  it('refuses the Get credentials sample, whose schema types isVerified/isPrimary as strings ("string")', () => {
    // The other two credential samples print booleans. A verification state that is not a boolean is never read as
    // verified or unverified: the user is refused (reported invalid), never linked on a guess. The connector reads
    // credentials only inside users (include=credentials), whose sample the dump collapsed.
    expect(refusal(() => parsePepperCredential(fixture('pepper/credential.seed002.json')))).toBe('"isVerified" must be a boolean when present');
  });
});

describe('Pepper perks', () => {
  it.each(['pepper/perk.seed002.json', 'pepper/perk-create.response.seed002.json', 'pepper/perk-update.response.seed002.json'])(
    'reads %s',
    (file) => {
      const raw = fixtureObject(file);
      expect(parsePepperPerk(raw)).toEqual({ id: 'string', template: 'STAMP_CARD', title: 'string', enabled: raw.enabled ?? false });
    },
  );

  it('reads `enabled` as printed on Get a Perk', () => {
    expect(parsePepperPerk(fixture('pepper/perk.seed002.json')).enabled).toBe(true);
  });
});

describe('Pepper awards', () => {
  const grantAnswer = fixtureObject('pepper/award-grant.response.seed002.json');

  it('refuses the grant answer as printed: the dump collapsed `points`, so there is no points.available', () => {
    expect(refusal(() => parsePepperAward(grantAnswer, { userId: 'u1', perkId: 'p1' }))).toBe('"points": "available" must be a non-negative integer');
  });

  it('reads the grant answer with its points.available (pepper-api.md §7): ids the answer leaves out come from the request', () => {
    // The answer is perk-shaped: its `_id` is taken for the award id (a guess pepper-api.md §10 lists), no userId/perkId.
    const award = parsePepperAward({ ...grantAnswer, points: { available: 7 } }, { userId: 'u1', perkId: 'p1' });
    expect(award).toEqual({ id: 'string', userId: 'u1', perkId: 'p1', pointsAvailable: 7, updatedAt: 'string' });
  });

  it('refuses the elided award item of seed 001 (`{ ... }`): no points', () => {
    expect(refusal(() => parsePepperAward({}))).toBe('"points": points is not an object');
  });
});

describe('Pepper actions (seed 001 examples)', () => {
  const rewardEarned = fixtureObject('pepper/action-reward-earned.seed001.json');

  it('reads REWARD_EARNED: id, type, timestamp, user and location', () => {
    const action = parsePepperAction(rewardEarned);
    expect(action).toMatchObject({
      id: 'xxxx',
      type: 'REWARD_EARNED',
      timestamp: '2021-03-05T13:37:52.194Z',
      userId: 'xxxx',
      locationId: 'xxx',
    });
    expect(action.metadata).toEqual({ awardId: 'xxxxx', perkId: 'xxxxx', loyaltyEarned: 2, pointsAdded: 2, pointsAvailable: 2, trigger: 'GLOBAL' });
  });

  it('reads the REWARD_EARNED movement: 2 points added, 2 available', () => {
    expect(readAwardMovement(parsePepperAction(rewardEarned))).toEqual({
      ok: true,
      movement: { type: 'REWARD_EARNED', awardId: 'xxxxx', perkId: 'xxxxx', points: 2, pointsAvailable: 2 },
    });
  });

  it.each(['pepper/action-redeem-perk.seed001.json', 'pepper/action-award-points-refunded.seed001.json'])(
    'refuses the %s fragment on its own (the guide prints only type + metadata): no `when`',
    (file) => {
      expect(refusal(() => parsePepperAction(fixture(file)))).toBe('"when": when is not an object');
    },
  );

  it('reads REDEEM_PERK "as REWARD_EARNED, but" with its metadata: 16 points redeemed, 5 available', () => {
    const action = parsePepperAction({ ...rewardEarned, ...fixtureObject('pepper/action-redeem-perk.seed001.json') });
    expect(readAwardMovement(action)).toEqual({
      ok: true,
      movement: { type: 'REDEEM_PERK', awardId: 'xxx', perkId: 'xxx', points: 16, pointsAvailable: 5 },
    });
  });

  it('reads AWARD_POINTS_REFUNDED the same way: 5 points refunded, 15 available', () => {
    const action = parsePepperAction({ ...rewardEarned, ...fixtureObject('pepper/action-award-points-refunded.seed001.json') });
    expect(readAwardMovement(action)).toEqual({
      ok: true,
      movement: { type: 'AWARD_POINTS_REFUNDED', awardId: 'xxx', perkId: 'xxx', points: 5, pointsAvailable: 15 },
    });
  });

  it('never maps a loyalty action to a purchase (ORDER_COMPLETED has no documented example)', () => {
    const ctx = { applicationId: 'm', currency: 'EUR', contactId: 'c1', locationOrganisations: {} };
    expect(mapOrderToPurchase(parsePepperAction(rewardEarned), ctx)).toEqual({
      ok: false,
      reason: 'action type must be ORDER_COMPLETED, got "REWARD_EARNED"',
    });
  });
});
