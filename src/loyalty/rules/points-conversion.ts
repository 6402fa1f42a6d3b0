/**
 * Points ⇄ money with POINTS_PER_CURRENCY_UNIT (README, "Money").
 *
 * `rate` is points per 1.00 of the currency, i.e. per `minorPerUnit` minor units (100 for a currency with two
 * fraction digits). These convert whole balances (opening balances, reconciliation); movements are converted
 * cumulatively by ./cumulative-conversion.ts. All arithmetic is on BigInt: money × rate can pass
 * 2^53 even when both factors are safe integers, and a double would then round silently.
 */

export const DEFAULT_MINOR_PER_UNIT = 100;

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

function safe(value: number, name: string): bigint {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${name} must be a safe integer, got ${value}`);
  return BigInt(value);
}

/** Cumulative totals cannot be negative: a negative total is a bookkeeping bug, and floor division would hide it. */
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
