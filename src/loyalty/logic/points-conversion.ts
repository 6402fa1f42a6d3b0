/**
 * Points ⇄ money with POINTS_PER_CURRENCY_UNIT (design §5 "Money").
 *
 * `rate` is points per 1.00 of the currency, i.e. per `minorPerUnit` minor units (100 for a currency with two
 * fraction digits). Conversions are cumulative per user and direction: the caller keeps the totals moved so far
 * and asks for "what the new total is worth minus what was already moved", so the rounding of many small
 * movements never adds up to a drift. All arithmetic is on BigInt: money × rate can pass 2^53 even when both
 * factors are safe integers, and a double would then round silently.
 */

export const DEFAULT_MINOR_PER_UNIT = 100;

/**
 * Points for the next money movement in one direction.
 * Assumes both totals only ever grow (a shortfall is taken out of both by the caller before the next call), so
 * with `pointsMovedSoFar` coming from earlier calls the result is never negative; a negative result means the
 * stored totals disagree, and it is returned as is for the caller to report rather than hidden.
 */
export function pointsToMove(
  totalMoneyMovedMinorIncludingThis: number,
  pointsMovedSoFar: number,
  rate: number,
  minorPerUnit = DEFAULT_MINOR_PER_UNIT,
): number {
  const total = nonNegative(totalMoneyMovedMinorIncludingThis, 'totalMoneyMovedMinorIncludingThis');
  const soFar = nonNegative(pointsMovedSoFar, 'pointsMovedSoFar');
  const [r, unit] = rateAndUnit(rate, minorPerUnit);
  return toSafe((total * r) / unit - soFar, 'points to move');
}

/**
 * Money (minor units) for the next points movement in one direction; the mirror image of pointsToMove, with the
 * same assumption that both totals only grow.
 */
export function moneyToMove(
  totalPointsMovedIncludingThis: number,
  moneyMovedSoFarMinor: number,
  rate: number,
  minorPerUnit = DEFAULT_MINOR_PER_UNIT,
): number {
  const total = nonNegative(totalPointsMovedIncludingThis, 'totalPointsMovedIncludingThis');
  const soFar = nonNegative(moneyMovedSoFarMinor, 'moneyMovedSoFarMinor');
  const [r, unit] = rateAndUnit(rate, minorPerUnit);
  return toSafe((total * unit) / r - soFar, 'money to move');
}

/**
 * A wallet balance as points, for opening balances and reconciliation. A wallet can be overdrawn, so negatives are
 * allowed and truncated toward zero: the customer is never shown a point the money does not fully back, either way.
 */
export function walletToPoints(walletMinor: number, rate: number, minorPerUnit = DEFAULT_MINOR_PER_UNIT): number {
  const wallet = safe(walletMinor, 'walletMinor');
  const [r, unit] = rateAndUnit(rate, minorPerUnit);
  // BigInt division truncates toward zero.
  return toSafe((wallet * r) / unit, 'wallet in points');
}

/** Points as money (minor units), truncated toward zero for the same reason as walletToPoints. */
export function pointsToMinor(points: number, rate: number, minorPerUnit = DEFAULT_MINOR_PER_UNIT): number {
  const p = safe(points, 'points');
  const [r, unit] = rateAndUnit(rate, minorPerUnit);
  return toSafe((p * unit) / r, 'points in minor units');
}

/**
 * What a cumulative conversion leaves over, for the log: `total × multiplier = converted × divisor + remainder`,
 * so `remainder / divisor` of one more output unit is carried to the user's next movement, not lost.
 */
export interface ConversionRemainder {
  /** Whole output units the total is worth (points, or minor units). */
  converted: number;
  /** Carried numerator, 0 ≤ remainder < divisor. */
  remainder: number;
  divisor: number;
}

/**
 * The carried fraction for a cumulative total in either direction; the totals are non-negative by the same
 * assumption as pointsToMove / moneyToMove.
 */
export function conversionRemainder(
  direction: 'MONEY_TO_POINTS' | 'POINTS_TO_MONEY',
  total: number,
  rate: number,
  minorPerUnit = DEFAULT_MINOR_PER_UNIT,
): ConversionRemainder {
  const t = nonNegative(total, 'total');
  const [r, unit] = rateAndUnit(rate, minorPerUnit);
  const [multiplier, divisor] = direction === 'MONEY_TO_POINTS' ? [r, unit] : [unit, r];
  const product = t * multiplier;
  return {
    converted: toSafe(product / divisor, 'converted total'),
    remainder: Number(product % divisor),
    divisor: Number(divisor),
  };
}

function safe(value: number, name: string): bigint {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${name} must be a safe integer, got ${value}`);
  return BigInt(value);
}

/** Cumulative totals cannot be negative: a negative total is a bookkeeping bug, and floor division would hide it. */
function nonNegative(value: number, name: string): bigint {
  const big = safe(value, name);
  if (big < 0n) throw new RangeError(`${name} must not be negative, got ${value}`);
  return big;
}

/** Zero or negative rates would divide by zero or flip signs; the configuration allows 1 … 1,000,000. */
function rateAndUnit(rate: number, minorPerUnit: number): [bigint, bigint] {
  const r = safe(rate, 'rate');
  if (r < 1n) throw new RangeError(`rate must be at least 1, got ${rate}`);
  const unit = safe(minorPerUnit, 'minorPerUnit');
  if (unit < 1n) throw new RangeError(`minorPerUnit must be at least 1, got ${minorPerUnit}`);
  return [r, unit];
}

function toSafe(value: bigint, name: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`${name} is beyond the safe integer range`);
  }
  return Number(value);
}
