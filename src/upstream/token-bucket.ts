/** Real time for the bucket: monotonic milliseconds and a timer. Tests pass a fake pair. */
export interface BucketTime {
  nowMs(): number;
  sleep(ms: number): Promise<void>;
}

const REAL_TIME: BucketTime = {
  nowMs: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** After a 429 the rate halves, down to this share of the budget at most ... */
const FLOOR_SHARE = 1 / 16;
/** ... and climbs back linearly to the full budget over this long without another 429. */
const RECOVERY_MS = 60_000;

/**
 * A rate budget for one upstream (PEPPER_MAX_RPS / CRMCOM_MAX_RPS): every attempt, retries included, takes a token
 * first. Tokens refill at `maxRps` per second up to a burst of one second's worth. A 429 halves the rate (the
 * upstream says we share its budget with others: the merchant's tills), which then recovers over a minute.
 * Takers are served in arrival order.
 */
export class TokenBucket {
  private tokens: number;
  private lastRefillMs: number;
  private reducedRps: number;
  private slowedAtMs: number | null = null;
  private tail: Promise<void> = Promise.resolve();
  private readonly burst: number;

  constructor(
    private readonly maxRps: number,
    private readonly time: BucketTime = REAL_TIME,
  ) {
    if (!(maxRps > 0)) throw new RangeError(`a rate budget must be above 0 calls per second, got ${maxRps}`);
    this.burst = Math.max(1, maxRps);
    this.tokens = this.burst;
    this.lastRefillMs = time.nowMs();
    this.reducedRps = maxRps;
  }

  /** The rate now, in calls per second (below the budget for a minute after a 429). */
  currentRps(): number {
    if (this.slowedAtMs === null) return this.maxRps;
    const recovered = (this.time.nowMs() - this.slowedAtMs) / RECOVERY_MS;
    if (recovered >= 1) {
      this.slowedAtMs = null;
      return this.maxRps;
    }
    return this.reducedRps + (this.maxRps - this.reducedRps) * recovered;
  }

  /** Resolves when the caller may send one request. */
  take(): Promise<void> {
    const turn = this.tail.then(() => this.waitForToken());
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  /** The upstream answered 429: halve the rate (from where it is now) and drop any saved-up burst. */
  slowDown(): void {
    const rate = this.currentRps();
    this.reducedRps = Math.max(this.maxRps * FLOOR_SHARE, rate / 2);
    this.slowedAtMs = this.time.nowMs();
    this.refill();
    this.tokens = Math.min(this.tokens, 0);
  }

  private refill(): void {
    const now = this.time.nowMs();
    const elapsed = Math.max(0, now - this.lastRefillMs);
    this.lastRefillMs = now;
    const cap = this.slowedAtMs === null ? this.burst : 1;
    this.tokens = Math.min(cap, this.tokens + (elapsed / 1000) * this.currentRps());
  }

  private async waitForToken(): Promise<void> {
    for (;;) {
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.time.sleep(Math.max(1, Math.ceil(((1 - this.tokens) / this.currentRps()) * 1000)));
    }
  }
}
