/** How often an event is tried before it is parked, and how long it waits between tries. */
export const MAX_EVENT_ATTEMPTS = 5;
const BASE_DELAY_MS = 30_000;
const MAX_DELAY_MS = 60 * 60_000;

export function nextAttemptDelayMs(attemptsSoFar: number): number {
  return Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attemptsSoFar);
}
