/**
 * Recognising the connector's own Pepper grants and redemptions when they come back in the actions feed
 * (README, "Echoes"), so they are never mirrored back.
 */

/** One attempt (one outbound_write row) of a Pepper grant or redeem the connector sent. */
export interface EchoCandidate {
  attemptId: number;
  kind: 'GRANT' | 'REDEEM';
  pepperUserId: string;
  perkId: string;
  awardId: string | null;
  points: number;
  state: 'PENDING' | 'UNKNOWN' | 'DONE' | 'FAILED' | 'SHADOW';
  sentAt: Date;
  /** The award's `points.available` from the write's answer, when the answer gave it. */
  balanceAfter: number | null;
  matchedActionId: string | null;
}

/** A `REWARD_EARNED` / `REDEEM_PERK` action, reduced to what matching needs. */
export interface MovementAction {
  actionId: string;
  type: 'REWARD_EARNED' | 'REDEEM_PERK';
  pepperUserId: string;
  perkId: string;
  awardId: string | null;
  /** `pointsAdded` or `pointsRedeemed`. */
  points: number;
  /** `metadata.pointsAvailable`, the award's balance after the action. */
  pointsAvailable: number | null;
  timestamp: Date;
}

export const DEFAULT_ECHO_CLOCK_SKEW_MS = 120_000;

const KIND_FOR_TYPE: Record<MovementAction['type'], EchoCandidate['kind']> = {
  REWARD_EARNED: 'GRANT',
  REDEEM_PERK: 'REDEEM',
};

/**
 * The attempt this action echoes, or null when it is a real movement.
 *
 * Assumptions:
 * - PENDING and UNKNOWN attempts qualify: the echo can be polled before the answer is stored, or the answer was lost.
 *   FAILED never does: Pepper refused it, so nothing happened that could echo.
 * - A retried grant has two attempts and can produce two echoes, so an attempt already matched is not reused, and
 *   the oldest attempt (earliest sentAt, then lowest attemptId) is taken first; the caller records the match.
 * - The award must agree only when both sides know it: a first grant is sent before its award exists.
 * - The balance check applies when both sides know it too: the write's answer gives `balanceAfter` (a grant answers
 *   with the award), and without `pointsAvailable` on the action there is nothing to compare against.
 * - An attempt sent after the action happened (beyond the clock skew between our clock and Pepper's) cannot be its
 *   cause. Time is judged on the action's own timestamp, never on "now", so a late poll or a sweep matches the same way.
 */
export function findEcho(
  action: MovementAction,
  candidates: readonly EchoCandidate[],
  clockSkewMs = DEFAULT_ECHO_CLOCK_SKEW_MS,
): EchoCandidate | null {
  const latestSentAt = action.timestamp.getTime() + clockSkewMs;
  const kind = KIND_FOR_TYPE[action.type];
  if (kind === undefined || !Number.isFinite(latestSentAt)) return null;

  // An attempt whose answer gave exactly the balance this action reports is certainly its source; only without
  // one may an attempt whose answer is unknown (timeout, 5xx — perhaps never applied) claim the echo.
  let best: EchoCandidate | null = null;
  for (const candidate of candidates) {
    if (!matches(action, kind, latestSentAt, candidate)) continue;
    if (best === null || ranksBefore(candidate, best, action)) best = candidate;
  }
  return best;
}

function provesBalance(candidate: EchoCandidate, action: MovementAction): boolean {
  return candidate.balanceAfter !== null && action.pointsAvailable !== null && candidate.balanceAfter === action.pointsAvailable;
}

function ranksBefore(a: EchoCandidate, b: EchoCandidate, action: MovementAction): boolean {
  const aProves = provesBalance(a, action);
  if (aProves !== provesBalance(b, action)) return aProves;
  return isOlder(a, b);
}

function matches(action: MovementAction, kind: EchoCandidate['kind'], latestSentAt: number, candidate: EchoCandidate): boolean {
  if (candidate.kind !== kind) return false;
  if (candidate.state === 'FAILED') return false;
  if (candidate.matchedActionId !== null && candidate.matchedActionId !== undefined) return false;
  if (candidate.pepperUserId !== action.pepperUserId) return false;
  if (candidate.perkId !== action.perkId) return false;
  if (candidate.awardId !== null && action.awardId !== null && candidate.awardId !== action.awardId) return false;
  if (candidate.points !== action.points) return false;
  if (candidate.balanceAfter !== null && action.pointsAvailable !== null && candidate.balanceAfter !== action.pointsAvailable) {
    return false;
  }
  const sentAt = candidate.sentAt.getTime();
  // An invalid sentAt (NaN) fails this comparison and never matches.
  return sentAt <= latestSentAt;
}

function isOlder(a: EchoCandidate, b: EchoCandidate): boolean {
  const byTime = a.sentAt.getTime() - b.sentAt.getTime();
  return byTime !== 0 ? byTime < 0 : a.attemptId < b.attemptId;
}
