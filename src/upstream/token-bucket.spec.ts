import { BucketTime, TokenBucket } from './token-bucket';

/** A fake clock: sleeping moves it forward, and every sleep is recorded. */
function fakeTime(): BucketTime & { now: number; sleeps: number[] } {
  const t = {
    now: 0,
    sleeps: [] as number[],
    nowMs: () => t.now,
    sleep: async (ms: number) => {
      t.sleeps.push(ms);
      t.now += ms;
    },
  };
  return t;
}

async function takeMany(bucket: TokenBucket, n: number): Promise<void> {
  await Promise.all(Array.from({ length: n }, () => bucket.take()));
}

describe('TokenBucket', () => {
  it('lets a burst of one second through at once, then paces at the budget', async () => {
    const time = fakeTime();
    const bucket = new TokenBucket(10, time);
    await takeMany(bucket, 10);
    expect(time.now).toBe(0);
    await takeMany(bucket, 20);
    // 20 more at 10 per second: two seconds
    expect(time.now).toBeGreaterThanOrEqual(2000);
    expect(time.now).toBeLessThan(2100);
  });

  it('refills while idle, but never above one second of burst', async () => {
    const time = fakeTime();
    const bucket = new TokenBucket(5, time);
    await takeMany(bucket, 5);
    time.now += 60_000;
    await takeMany(bucket, 5);
    expect(time.sleeps).toEqual([]);
    await bucket.take();
    expect(time.sleeps.length).toBeGreaterThan(0);
  });

  it('halves the rate after a 429, drops the burst, and recovers over a minute', async () => {
    const time = fakeTime();
    const bucket = new TokenBucket(20, time);
    bucket.slowDown();
    expect(bucket.currentRps()).toBe(10);
    const start = time.now;
    await takeMany(bucket, 10);
    // 10 calls at about 10 per second (rising slowly as it recovers): about a second, not half of one
    expect(time.now - start).toBeGreaterThanOrEqual(900);
    bucket.slowDown();
    expect(bucket.currentRps()).toBeLessThan(6);
    time.now += 60_000;
    expect(bucket.currentRps()).toBe(20);
  });

  it('never goes below a sixteenth of the budget however many 429s come', () => {
    const time = fakeTime();
    const bucket = new TokenBucket(32, time);
    for (let i = 0; i < 20; i++) bucket.slowDown();
    expect(bucket.currentRps()).toBe(2);
  });

  it('serves takers in arrival order', async () => {
    const time = fakeTime();
    const bucket = new TokenBucket(1, time);
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((i) => bucket.take().then(() => order.push(i))));
    expect(order).toEqual([1, 2, 3]);
    expect(time.now).toBeGreaterThanOrEqual(2000);
  });

  it('refuses a budget of zero', () => {
    expect(() => new TokenBucket(0)).toThrow(RangeError);
  });
});
