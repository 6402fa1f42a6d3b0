import { EchoCandidate, findEcho, MovementAction } from './echo-matcher';

const T0 = Date.parse('2024-05-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);

function attempt(overrides: Partial<EchoCandidate> = {}): EchoCandidate {
  return {
    attemptId: 1,
    kind: 'GRANT',
    pepperUserId: 'usr-1',
    perkId: 'perk-wallet',
    awardId: 'award-1',
    points: 250,
    state: 'DONE',
    sentAt: at(0),
    balanceAfter: 1250,
    matchedActionId: null,
    ...overrides,
  };
}

function earned(overrides: Partial<MovementAction> = {}): MovementAction {
  return {
    actionId: 'act-1',
    type: 'REWARD_EARNED',
    pepperUserId: 'usr-1',
    perkId: 'perk-wallet',
    awardId: 'award-1',
    points: 250,
    pointsAvailable: 1250,
    timestamp: at(1),
    ...overrides,
  };
}

describe('findEcho', () => {
  it('matches a grant to its REWARD_EARNED echo', () => {
    const grant = attempt();
    expect(findEcho(earned(), [grant])).toBe(grant);
  });

  it('matches a redeem to its REDEEM_PERK echo, and not across kinds', () => {
    const redeem = attempt({ kind: 'REDEEM', balanceAfter: 1000 });
    const redeemed = earned({ type: 'REDEEM_PERK', pointsAvailable: 1000 });
    expect(findEcho(redeemed, [redeem])).toBe(redeem);
    expect(findEcho(earned({ pointsAvailable: 1000 }), [redeem])).toBeNull();
    expect(findEcho(redeemed, [attempt({ balanceAfter: 1000 })])).toBeNull();
  });

  it('gives each echo of a retried grant a different attempt, oldest first', () => {
    // The first attempt timed out (UNKNOWN) but happened; the retry went through too: two grants, two echoes.
    const first = attempt({ attemptId: 7, state: 'UNKNOWN', sentAt: at(0), balanceAfter: null });
    const retry = attempt({ attemptId: 8, state: 'DONE', sentAt: at(30), balanceAfter: null });
    const attempts = [retry, first];

    const echo1 = earned({ actionId: 'act-1', timestamp: at(1), pointsAvailable: 1250 });
    const matched1 = findEcho(echo1, attempts);
    expect(matched1).toBe(first);

    const afterFirst = attempts.map((a) => (a === matched1 ? { ...a, matchedActionId: echo1.actionId } : a));
    const echo2 = earned({ actionId: 'act-2', timestamp: at(31), pointsAvailable: 1500 });
    expect(findEcho(echo2, afterFirst)).toBe(retry);

    const afterBoth = afterFirst.map((a) => (a.attemptId === retry.attemptId ? { ...a, matchedActionId: echo2.actionId } : a));
    expect(findEcho(earned({ actionId: 'act-3', timestamp: at(60) }), afterBoth)).toBeNull();
  });

  it('breaks a tie on sentAt by the lowest attemptId', () => {
    const a = attempt({ attemptId: 5 });
    const b = attempt({ attemptId: 3 });
    expect(findEcho(earned(), [a, b])).toBe(b);
  });

  it('matches an echo that arrives before the answer is stored (PENDING, balance unknown)', () => {
    const pending = attempt({ state: 'PENDING', balanceAfter: null });
    expect(findEcho(earned(), [pending])).toBe(pending);
  });

  it.each<[string, Partial<EchoCandidate>, Partial<MovementAction>]>([
    ['wrong points', { points: 200 }, {}],
    ['another user', { pepperUserId: 'usr-2' }, {}],
    ['another perk', { perkId: 'perk-other' }, {}],
    ['another award, both known', { awardId: 'award-2' }, {}],
    ['a FAILED attempt', { state: 'FAILED' }, {}],
    ['an attempt already matched', { matchedActionId: 'act-0' }, {}],
    ['an attempt sent after the action plus skew', { sentAt: at(1 + 120 + 1) }, {}],
    ['a balanceAfter that differs from pointsAvailable', { balanceAfter: 1249 }, {}],
    ['an invalid sentAt', { sentAt: new Date(Number.NaN) }, {}],
  ])('does not match %s', (_name, candidate, action) => {
    expect(findEcho(earned(action), [attempt(candidate)])).toBeNull();
  });

  it('accepts an attempt sent up to the clock skew after the action, and honours a custom skew', () => {
    const edge = attempt({ sentAt: at(1 + 120) });
    expect(findEcho(earned(), [edge])).toBe(edge);
    expect(findEcho(earned(), [edge], 60_000)).toBeNull();
    expect(findEcho(earned(), [attempt({ sentAt: at(2) })], 0)).toBeNull();
  });

  it('judges age on the action timestamp, not on now: a long-delayed poll still matches', () => {
    const old = attempt({ sentAt: new Date('2020-01-01T00:00:00Z') });
    expect(findEcho(earned({ timestamp: new Date('2020-01-01T00:00:05Z') }), [old])).toBe(old);
  });

  it('matches when only one side knows the award (a first grant is sent before the award exists)', () => {
    const firstGrant = attempt({ awardId: null });
    expect(findEcho(earned(), [firstGrant])).toBe(firstGrant);
    const grant = attempt();
    expect(findEcho(earned({ awardId: null }), [grant])).toBe(grant);
  });

  it('skips the balance check when the action carries no pointsAvailable', () => {
    const grant = attempt({ balanceAfter: 1250 });
    expect(findEcho(earned({ pointsAvailable: null }), [grant])).toBe(grant);
  });

  it('prefers a matching older attempt over a non-matching one, whatever the list order', () => {
    const wrongBalance = attempt({ attemptId: 1, sentAt: at(-10), balanceAfter: 999 });
    const right = attempt({ attemptId: 2, sentAt: at(0) });
    const newer = attempt({ attemptId: 3, sentAt: at(0.5) });
    expect(findEcho(earned(), [newer, wrongBalance, right])).toBe(right);
  });

  it('returns null for no candidates', () => {
    expect(findEcho(earned(), [])).toBeNull();
  });
});

describe('findEcho: an attempt whose answer proves the balance goes first', () => {
  it('gives the echo of a confirmed grant to that grant, not to an older grant whose answer was lost (503)', () => {
    const base = { kind: 'GRANT' as const, pepperUserId: 'u1', perkId: 'p', awardId: null, points: 125, matchedActionId: null };
    const lost = { ...base, attemptId: 1, state: 'UNKNOWN' as const, sentAt: new Date('2026-01-01T10:00:00Z'), balanceAfter: null };
    const confirmed = { ...base, attemptId: 2, state: 'DONE' as const, sentAt: new Date('2026-01-01T10:00:05Z'), balanceAfter: 250 };
    const echo = { actionId: 'a', type: 'REWARD_EARNED' as const, pepperUserId: 'u1', perkId: 'p', awardId: 'aw', points: 125, pointsAvailable: 250, timestamp: new Date('2026-01-01T10:00:05Z') };
    expect(findEcho(echo, [lost, confirmed])?.attemptId).toBe(2);
    // Without a confirmed one, the attempt in doubt may take it.
    expect(findEcho(echo, [lost])?.attemptId).toBe(1);
  });
});
