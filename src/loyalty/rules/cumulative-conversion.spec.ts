import fc from 'fast-check';
import { cumulativeDelta, moneyForPoints, pointsForMoney } from './cumulative-conversion';

describe('cumulative conversion', () => {
  it('converts at the points rate (100 points per 1.00 by default)', () => {
    expect(pointsForMoney(0, 1234, 100)).toBe(1234);
    expect(moneyForPoints(0, 250, 100)).toBe(250);
    expect(pointsForMoney(0, 1999, 10)).toBe(199);
    expect(moneyForPoints(0, -7, 10)).toBe(-70);
  });

  it('carries remainders to the next movement instead of losing them', () => {
    // 1 point per 1.00: 0.99 is worth nothing yet, one more cent makes the point.
    expect(pointsForMoney(0, 99, 1)).toBe(0);
    expect(pointsForMoney(99, 1, 1)).toBe(1);
  });

  it('never drifts: the movements of a sequence add up to the conversion of its total', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -100_000, max: 100_000 }), { maxLength: 60 }), fc.integer({ min: 1, max: 1000 }), (moves, rate) => {
        let total = 0;
        let converted = 0;
        for (const move of moves) {
          converted += pointsForMoney(total, move, rate);
          total += move;
        }
        expect(converted).toBe(Math.trunc((total * rate) / 100) || 0); // || 0: Math.trunc gives -0 for small negatives
      }),
    );
  });

  it('cancels a credit and an equal debit exactly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1_000_000, max: 1_000_000 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 997 }),
        (before, amount, rate) => {
          const credit = moneyForPoints(before, amount, rate);
          const debit = moneyForPoints(before + amount, -amount, rate);
          expect(credit + debit).toBe(0);
        },
      ),
    );
  });

  it('refuses what is not a safe integer', () => {
    expect(() => cumulativeDelta(0.5, 1, 1, 1)).toThrow(RangeError);
    expect(() => cumulativeDelta(0, 1, 1, 0)).toThrow(RangeError);
  });
});
