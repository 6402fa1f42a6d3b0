import fc from 'fast-check';
import { conversionRemainder, moneyToMove, pointsToMinor, pointsToMove, walletToPoints } from './points-conversion';

const rateArb = fc.integer({ min: 1, max: 1_000_000 });
// Movements big enough to exercise products beyond 2^53 when multiplied by a large rate, small enough that
// a few dozen of them keep the running total a safe integer.
const movementsArb = fc.array(fc.integer({ min: 1, max: 10_000_000_000 }), { minLength: 1, maxLength: 40 });

/** Replays movements the way the flows do: the running total includes this movement, soFar is what was returned before. */
function replay(movements: number[], step: (totalIncludingThis: number, movedSoFar: number) => number): number[] {
  let total = 0;
  let moved = 0;
  return movements.map((movement) => {
    total += movement;
    const result = step(total, moved);
    moved += result;
    return result;
  });
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

describe('pointsToMove', () => {
  it('converts 12.34 at 100 points per unit into 1234 points', () => {
    expect(pointsToMove(1234, 0, 100)).toBe(1234);
  });

  it('carries a fraction until it makes a whole point (rate 1: 0.99 → 0, then +0.01 → 1)', () => {
    expect(pointsToMove(99, 0, 1)).toBe(0);
    expect(pointsToMove(100, 0, 1)).toBe(1);
  });

  it('gives 3 × 0.33 at rate 1 one point in total only once 1.00 is reached', () => {
    expect(replay([33, 33, 33, 1], (total, soFar) => pointsToMove(total, soFar, 1))).toEqual([0, 0, 0, 1]);
  });

  it('honours minorPerUnit', () => {
    expect(pointsToMove(1500, 0, 2, 1000)).toBe(3); // 1.500 of a three-decimal currency
    expect(pointsToMove(15, 0, 2, 1)).toBe(30); // a currency without fraction digits
  });

  it('computes exactly where total × rate passes 2^53', () => {
    const total = Number.MAX_SAFE_INTEGER;
    const expected = Number((BigInt(total) * 3n) / 100n);
    expect(pointsToMove(total, 0, 3)).toBe(expected);
  });

  it('never drifts: the per-movement results sum to floor(total × rate / 100), each ≥ 0', () => {
    fc.assert(
      fc.property(movementsArb, rateArb, (movements, rate) => {
        const results = replay(movements, (total, soFar) => pointsToMove(total, soFar, rate));
        const total = sum(movements);
        expect(results.every((r) => r >= 0)).toBe(true);
        expect(BigInt(sum(results))).toBe((BigInt(total) * BigInt(rate)) / 100n);
      }),
    );
  });

  it('is the exact floor of money × rate / 100', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Math.floor(Number.MAX_SAFE_INTEGER / 10_000) }), rateArb, (money, rate) => {
        const points = BigInt(pointsToMove(money, 0, rate));
        const scaled = BigInt(money) * BigInt(rate);
        expect(points * 100n <= scaled && scaled < (points + 1n) * 100n).toBe(true);
      }),
    );
  });

  it('returns a negative result, rather than hiding it, when the stored totals disagree', () => {
    expect(pointsToMove(100, 5, 1)).toBe(-4);
  });
});

describe('moneyToMove', () => {
  it('converts 1234 points at 100 per unit into 12.34', () => {
    expect(moneyToMove(1234, 0, 100)).toBe(1234);
  });

  it('carries a fraction of a cent (rate 3: 1 point → 0.33, 2 → 0.66, 3 → 1.00)', () => {
    expect(replay([1, 1, 1], (total, soFar) => moneyToMove(total, soFar, 3))).toEqual([33, 33, 34]);
  });

  it('never drifts: the per-movement results sum to floor(total × 100 / rate), each ≥ 0', () => {
    fc.assert(
      fc.property(movementsArb, rateArb, (movements, rate) => {
        const results = replay(movements, (total, soFar) => moneyToMove(total, soFar, rate));
        const total = sum(movements);
        expect(results.every((r) => r >= 0)).toBe(true);
        expect(BigInt(sum(results))).toBe((BigInt(total) * 100n) / BigInt(rate));
      }),
    );
  });
});

describe('walletToPoints and pointsToMinor', () => {
  it('convert examples both ways', () => {
    expect(walletToPoints(1234, 100)).toBe(1234);
    expect(walletToPoints(1234, 1)).toBe(12);
    expect(walletToPoints(99, 1)).toBe(0);
    expect(pointsToMinor(12, 1)).toBe(1200);
    expect(pointsToMinor(1, 3)).toBe(33);
    expect(pointsToMinor(10, 1000)).toBe(1);
  });

  it('truncate negatives toward zero', () => {
    expect(walletToPoints(-199, 1)).toBe(-1);
    expect(walletToPoints(-99, 1)).toBe(0);
    expect(pointsToMinor(-1, 3)).toBe(-33);
  });

  it('round-trip without creating points: walletToPoints(pointsToMinor(p)) ≤ p', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000_000_000 }), rateArb, (points, rate) => {
        expect(walletToPoints(pointsToMinor(points, rate), rate)).toBeLessThanOrEqual(points);
      }),
    );
  });

  it('round-trip without creating money: pointsToMinor(walletToPoints(w)) ≤ w', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000_000 }), rateArb, (wallet, rate) => {
        expect(pointsToMinor(walletToPoints(wallet, rate), rate)).toBeLessThanOrEqual(wallet);
      }),
    );
  });

  it('never move a negative balance further from zero', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1_000_000_000_000, max: 0 }), rateArb, (points, rate) => {
        expect(walletToPoints(pointsToMinor(points, rate), rate)).toBeGreaterThanOrEqual(points);
      }),
    );
  });

  it('agree with the cumulative conversions from zero', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000_000 }), rateArb, (amount, rate) => {
        expect(walletToPoints(amount, rate)).toBe(pointsToMove(amount, 0, rate));
        expect(pointsToMinor(amount, rate)).toBe(moneyToMove(amount, 0, rate));
      }),
    );
  });
});

describe('conversionRemainder', () => {
  it('reports what a total leaves over', () => {
    expect(conversionRemainder('MONEY_TO_POINTS', 99, 1)).toEqual({ converted: 0, remainder: 99, divisor: 100 });
    expect(conversionRemainder('MONEY_TO_POINTS', 1234, 100)).toEqual({ converted: 1234, remainder: 0, divisor: 100 });
    expect(conversionRemainder('POINTS_TO_MONEY', 1, 3)).toEqual({ converted: 33, remainder: 1, divisor: 3 });
  });

  it('satisfies total × multiplier = converted × divisor + remainder', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000_000 }), rateArb, fc.boolean(), (total, rate, toPoints) => {
        const split = conversionRemainder(toPoints ? 'MONEY_TO_POINTS' : 'POINTS_TO_MONEY', total, rate);
        const multiplier = BigInt(toPoints ? rate : 100);
        expect(split.divisor).toBe(toPoints ? 100 : rate);
        expect(split.remainder).toBeGreaterThanOrEqual(0);
        expect(split.remainder).toBeLessThan(split.divisor);
        expect(BigInt(total) * multiplier).toBe(BigInt(split.converted) * BigInt(split.divisor) + BigInt(split.remainder));
        expect(split.converted).toBe(toPoints ? pointsToMove(total, 0, rate) : moneyToMove(total, 0, rate));
      }),
    );
  });
});

describe('input validation', () => {
  it.each<[string, () => unknown]>([
    ['fractional money', () => pointsToMove(1.5, 0, 100)],
    ['NaN points so far', () => pointsToMove(100, Number.NaN, 100)],
    ['unsafe money', () => pointsToMove(2 ** 53, 0, 100)],
    ['negative money total', () => pointsToMove(-1, 0, 100)],
    ['negative points so far', () => pointsToMove(1, -1, 100)],
    ['zero rate', () => pointsToMove(1, 0, 0)],
    ['fractional rate', () => moneyToMove(1, 0, 0.5)],
    ['negative rate', () => walletToPoints(1, -1)],
    ['zero minorPerUnit', () => pointsToMinor(1, 1, 0)],
    ['infinite wallet', () => walletToPoints(Infinity, 1)],
    ['fractional points', () => pointsToMinor(0.5, 1)],
    ['negative total remainder', () => conversionRemainder('MONEY_TO_POINTS', -1, 1)],
    ['a result beyond the safe range', () => walletToPoints(Number.MAX_SAFE_INTEGER, 1_000_000)],
  ])('throws RangeError for %s', (_name, call) => {
    expect(call).toThrow(RangeError);
  });
});
