import fc from 'fast-check';
import { pointsToMinor, walletToPoints } from './points-conversion';

const rateArb = fc.integer({ min: 1, max: 1_000_000 });
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

});

describe('input validation', () => {
  it.each<[string, () => unknown]>([
    ['fractional money', () => walletToPoints(1.5, 100)],
    ['unsafe money', () => walletToPoints(2 ** 53, 100)],
    ['zero rate', () => walletToPoints(1, 0)],
    ['fractional rate', () => pointsToMinor(1, 0.5)],
    ['negative rate', () => walletToPoints(1, -1)],
    ['zero minorPerUnit', () => pointsToMinor(1, 1, 0)],
    ['infinite wallet', () => walletToPoints(Infinity, 1)],
    ['fractional points', () => pointsToMinor(0.5, 1)],
    ['a result beyond the safe range', () => walletToPoints(Number.MAX_SAFE_INTEGER, 1_000_000)],
  ])('throws RangeError for %s', (_name, call) => {
    expect(call).toThrow(RangeError);
  });
});
