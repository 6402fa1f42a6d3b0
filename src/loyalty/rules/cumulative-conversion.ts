/**
 * Converts one movement against the user's running total in that direction (README, "Money"):
 * the movement is worth conv(total before + movement) − conv(total before), so many small movements never
 * drift apart from one big one. Totals are signed (credits up, debits down) and conv truncates toward zero,
 * so a credit and an equal debit always cancel exactly.
 */
function convert(amount: bigint, multiplier: bigint, divisor: bigint): bigint {
  return (amount * multiplier) / divisor;
}

export function cumulativeDelta(totalBefore: number, movement: number, multiplier: number, divisor: number): number {
  for (const [name, v] of Object.entries({ totalBefore, movement, multiplier, divisor })) {
    if (!Number.isSafeInteger(v)) throw new RangeError(`${name} must be a safe integer, got ${v}`);
  }
  if (divisor <= 0 || multiplier <= 0) throw new RangeError('multiplier and divisor must be positive');
  const m = BigInt(multiplier);
  const d = BigInt(divisor);
  const before = BigInt(totalBefore);
  const result = convert(before + BigInt(movement), m, d) - convert(before, m, d);
  if (result > BigInt(Number.MAX_SAFE_INTEGER) || result < BigInt(Number.MIN_SAFE_INTEGER)) throw new RangeError('conversion overflows');
  return Number(result);
}

const MINOR_PER_UNIT = 100;

/** Pepper points moved → wallet money (minor units), given the points this user already moved that way. */
export const moneyForPoints = (pointsMovedBefore: number, points: number, rate: number): number =>
  cumulativeDelta(pointsMovedBefore, points, MINOR_PER_UNIT, rate);

/** Wallet money moved (minor units) → Pepper points, given the money this user already moved that way. */
export const pointsForMoney = (moneyMovedBeforeMinor: number, moneyMinor: number, rate: number): number =>
  cumulativeDelta(moneyMovedBeforeMinor, moneyMinor, rate, MINOR_PER_UNIT);
