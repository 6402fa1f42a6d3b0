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
