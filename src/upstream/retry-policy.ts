import { HttpConfig } from '../config/app-config';

/** The longest Retry-After we wait out in place; beyond it the call fails RATE_LIMITED and the sync retries later. */
export const MAX_RETRY_AFTER_MS = 60_000;

/** Exponential backoff with full jitter: uniform in [0, min(max, base × 2^retryIndex)). */
export function backoffDelayMs(http: HttpConfig, retryIndex: number, random: () => number): number {
  const ceiling = Math.min(http.backoffMaxMs, http.backoffBaseMs * 2 ** retryIndex);
  const unit = Math.min(Math.max(random(), 0), 1);
  return Math.floor(unit * ceiling);
}

/** Retry-After as delay-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfterMs(header: string | undefined, nowMs: number): number | null {
  if (header === undefined) return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date always names its weekday or month; this keeps numbers like "-3" from reading as a year.
  if (!/[a-z]/i.test(text)) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}
