import { testConfig } from '../../test/support/upstream/test-config';
import { backoffDelayMs, parseRetryAfterMs } from './retry-policy';

describe('backoffDelayMs', () => {
  const http = testConfig().http;

  it('doubles the ceiling per retry and never exceeds the maximum', () => {
    const nearlyOne = (): number => 0.999999;
    const delays = [0, 1, 2, 3, 4, 5, 10, 60].map((retry) => backoffDelayMs(http, retry, nearlyOne));
    expect(delays).toEqual([99, 199, 399, 799, 1599, 1999, 1999, 1999]);
  });

  it('draws the delay uniformly below the ceiling (full jitter)', () => {
    expect(backoffDelayMs(http, 2, () => 0)).toBe(0);
    expect(backoffDelayMs(http, 2, () => 0.5)).toBe(200);
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');

  it('reads delay-seconds', () => {
    expect(parseRetryAfterMs('7', now)).toBe(7000);
    expect(parseRetryAfterMs(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP date relative to now', () => {
    expect(parseRetryAfterMs('Thu, 01 Jan 2026 12:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfterMs('Thu, 01 Jan 2026 11:00:00 GMT', now)).toBe(0);
  });

  it('answers null when absent or unreadable', () => {
    expect(parseRetryAfterMs(undefined, now)).toBeNull();
    expect(parseRetryAfterMs('soon', now)).toBeNull();
    expect(parseRetryAfterMs('-3', now)).toBeNull();
  });
});
