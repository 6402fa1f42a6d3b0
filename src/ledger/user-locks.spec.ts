import { KeyedMutex } from './user-locks';

describe('KeyedMutex', () => {
  it('runs tasks of one key one at a time, in order, and other keys alongside', async () => {
    const mutex = new KeyedMutex();
    const events: string[] = [];
    let releaseFirst!: () => void;
    const first = mutex.runExclusive('a', async () => {
      events.push('a1 start');
      await new Promise<void>((r) => (releaseFirst = r));
      events.push('a1 end');
    });
    const second = mutex.runExclusive('a', async () => {
      events.push('a2');
    });
    const other = mutex.runExclusive('b', async () => {
      events.push('b1');
    });
    await other;
    expect(events).toEqual(['a1 start', 'b1']);
    releaseFirst();
    await Promise.all([first, second]);
    expect(events).toEqual(['a1 start', 'b1', 'a1 end', 'a2']);
    expect(mutex.heldKeys).toBe(0);
  });

  it('keeps going after a task fails', async () => {
    const mutex = new KeyedMutex();
    await expect(mutex.runExclusive('a', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(mutex.runExclusive('a', async () => 42)).resolves.toBe(42);
  });
});

describe('KeyedMutex with a watchdog', () => {
  afterEach(() => jest.useRealTimers());

  it('hands the key to the next waiter once a holder has been stuck past the limit, and reports it', async () => {
    jest.useFakeTimers();
    const stuck: Array<{ key: string; waitedMs: number }> = [];
    const mutex = new KeyedMutex({ maxWaitMs: 1_000, onStuck: (key, waitedMs) => stuck.push({ key, waitedMs }) });
    let ran = false;
    void mutex.runExclusive('user:u1', () => new Promise<void>(() => undefined)); // never settles: a hung call
    const next = mutex.runExclusive('user:u1', async () => {
      ran = true;
    });
    await jest.advanceTimersByTimeAsync(999);
    expect(ran).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await next;
    expect(ran).toBe(true);
    expect(stuck).toEqual([{ key: 'user:u1', waitedMs: 1_000 }]);
  });

  it('does not fire while holders finish in time', async () => {
    jest.useFakeTimers();
    const stuck: string[] = [];
    const mutex = new KeyedMutex({ maxWaitMs: 1_000, onStuck: (key) => stuck.push(key) });
    const first = mutex.runExclusive('k', () => new Promise<void>((r) => setTimeout(r, 500)));
    const second = mutex.runExclusive('k', async () => 'second');
    await jest.advanceTimersByTimeAsync(500);
    await expect(second).resolves.toBe('second');
    await first;
    await jest.advanceTimersByTimeAsync(5_000);
    expect(stuck).toEqual([]);
  });
});
