import fc from 'fast-check';
import { forEachBounded, TaskPool } from './bounded-concurrency';

/** A task whose completion the test controls. */
interface Gate {
  item: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** Runs forEachBounded over items whose tasks wait for the test; records starts and the number in flight. */
function gated(items: number[], limit: number) {
  const gates: Gate[] = [];
  const started: number[] = [];
  let running = 0;
  let maxRunning = 0;
  const settled = { value: false, error: undefined as unknown, runningAtSettle: -1 };
  const done = forEachBounded(items, limit, (item) => {
    started.push(item);
    running++;
    maxRunning = Math.max(maxRunning, running);
    return new Promise<void>((resolve, reject) => {
      gates.push({ item, resolve, reject });
    }).finally(() => running--);
  }).then(
    () => Object.assign(settled, { value: true, runningAtSettle: running }),
    (error: unknown) => Object.assign(settled, { value: true, error, runningAtSettle: running }),
  );
  return {
    gates,
    started,
    settled,
    done,
    running: () => running,
    maxRunning: () => maxRunning,
    gate: (item: number) => gates.find((g) => g.item === item)!,
  };
}

/** Lets every queued promise callback run. */
const flush = () => new Promise<void>((r) => setImmediate(r));

describe('forEachBounded', () => {
  it('never has more than `limit` tasks in flight, keeps `limit` busy while items remain, and starts items in order', async () => {
    const run = gated([0, 1, 2, 3, 4, 5, 6], 3);
    await flush();
    expect(run.started).toEqual([0, 1, 2]);
    run.gate(1).resolve();
    await flush();
    expect(run.started).toEqual([0, 1, 2, 3]);
    expect(run.running()).toBe(3);
    run.gate(0).resolve();
    run.gate(3).resolve();
    await flush();
    expect(run.started).toEqual([0, 1, 2, 3, 4, 5]);
    for (const item of [2, 4, 5]) run.gate(item).resolve();
    await flush();
    expect(run.started).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(run.settled.value).toBe(false); // item 6 still in flight
    run.gate(6).resolve();
    await run.done;
    expect(run.settled).toMatchObject({ value: true, error: undefined, runningAtSettle: 0 });
    expect(run.maxRunning()).toBe(3);
  });

  it('applies the task to each item exactly once, whatever the limit and however long each task takes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat({ max: 5 }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 8 }),
        async (delays, limit) => {
          const seen: number[] = [];
          let running = 0;
          let maxRunning = 0;
          await forEachBounded(
            delays.map((_, i) => i),
            limit,
            async (i) => {
              running++;
              maxRunning = Math.max(maxRunning, running);
              for (let k = 0; k <= delays[i]; k++) await Promise.resolve(); // at least one turn away
              seen.push(i);
              running--;
            },
          );
          expect([...seen].sort((a, b) => a - b)).toEqual(delays.map((_, i) => i));
          expect(running).toBe(0);
          expect(maxRunning).toBeLessThanOrEqual(limit);
          expect(maxRunning).toBe(Math.min(limit, delays.length));
        },
      ),
    );
  });

  it('resolves at once on no items without calling the task', async () => {
    const task = jest.fn(async () => undefined);
    await expect(forEachBounded([], 4, task)).resolves.toBeUndefined();
    expect(task).not.toHaveBeenCalled();
  });

  it('on a failure waits for the tasks in flight, starts no further item, then rejects with the first error', async () => {
    const run = gated([0, 1, 2, 3, 4, 5], 3);
    await flush();
    run.gate(1).reject(new Error('first'));
    await flush();
    // Still waiting for 0 and 2: not settled, and nothing new was started in place of the failed task.
    expect(run.settled.value).toBe(false);
    expect(run.started).toEqual([0, 1, 2]);
    run.gate(0).resolve();
    run.gate(2).reject(new Error('second'));
    await run.done;
    expect(run.settled.value).toBe(true);
    expect((run.settled.error as Error).message).toBe('first');
    expect(run.settled.runningAtSettle).toBe(0);
    expect(run.started).toEqual([0, 1, 2]);
  });

  it('rejects with the error of a task that throws synchronously, once the others have settled', async () => {
    let release!: () => void;
    const ran: number[] = [];
    const done = forEachBounded([0, 1, 2], 2, (i) => {
      ran.push(i);
      if (i === 1) throw new Error('sync boom');
      return new Promise<void>((r) => (release = r));
    });
    let settled = false;
    void done.catch(() => (settled = true));
    await flush();
    expect(settled).toBe(false);
    release();
    await expect(done).rejects.toThrow('sync boom');
    expect(ran).toEqual([0, 1]);
  });
});

describe('TaskPool', () => {
  /** A pool whose tasks wait for the test; records starts and the number in flight. */
  function pooled(limit: number) {
    const pool = new TaskPool(limit);
    const gates = new Map<number, Gate>();
    const started: number[] = [];
    let running = 0;
    let maxRunning = 0;
    const task = (item: number) => () => {
      started.push(item);
      running++;
      maxRunning = Math.max(maxRunning, running);
      return new Promise<void>((resolve, reject) => gates.set(item, { item, resolve, reject })).finally(() => running--);
    };
    return { pool, task, started, gate: (item: number) => gates.get(item)!, running: () => running, maxRunning: () => maxRunning };
  }

  it('starts at once while a slot is free, and makes the next start wait for a slot, across any number of callers\' batches', async () => {
    const run = pooled(2);
    await run.pool.start(run.task(0));
    await run.pool.start(run.task(1));
    let thirdStarted = false;
    const third = run.pool.start(run.task(2)).then(() => (thirdStarted = true));
    await flush();
    expect(thirdStarted).toBe(false);
    expect(run.started).toEqual([0, 1]);
    run.gate(1).resolve();
    await third;
    expect(run.started).toEqual([0, 1, 2]);
    expect(run.maxRunning()).toBe(2);
    let drained = false;
    const drain = run.pool.drain().then(() => (drained = true));
    run.gate(0).resolve();
    await flush();
    expect(drained).toBe(false); // task 2 still in flight
    run.gate(2).resolve();
    await drain;
    expect(run.running()).toBe(0);
  });

  it('after a failure starts nothing more: a waiting start and later starts reject with the first error; drain waits, then rejects', async () => {
    const run = pooled(1);
    await run.pool.start(run.task(0));
    const waiting = run.pool.start(run.task(1));
    run.gate(0).reject(new Error('first'));
    await expect(waiting).rejects.toThrow('first');
    await expect(run.pool.start(run.task(2))).rejects.toThrow('first');
    expect(run.started).toEqual([0]);
    await expect(run.pool.drain()).rejects.toThrow('first');
    await expect(run.pool.settle()).resolves.toBeUndefined();
  });

  it('drain waits for the tasks still in flight when one fails, so nothing it started outlives it', async () => {
    const run = pooled(2);
    await run.pool.start(run.task(0));
    await run.pool.start(run.task(1));
    run.gate(0).reject(new Error('boom'));
    let settled = false;
    const drain = run.pool.drain().catch((error: Error) => {
      settled = true;
      return error.message;
    });
    await flush();
    expect(settled).toBe(false);
    expect(run.running()).toBe(1);
    run.gate(1).resolve();
    expect(await drain).toBe('boom');
    expect(run.running()).toBe(0);
  });

  it('drains at once when nothing was started', async () => {
    await expect(new TaskPool(3).drain()).resolves.toBeUndefined();
  });
});
