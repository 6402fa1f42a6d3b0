import { Injectable } from '@nestjs/common';

/** Runs tasks one at a time per key (in arrival order), different keys in parallel. */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  async runExclusive<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  get heldKeys(): number {
    return this.tails.size;
  }
}

/**
 * The per-user lock every job and admin call shares, so two flows never interleave for one user
 * (e.g. the seed and the poller creating the same contact).
 */
@Injectable()
export class UserLocks extends KeyedMutex {
  forUser<T>(pepperUserId: string, task: () => Promise<T>): Promise<T> {
    return this.runExclusive(`user:${pepperUserId}`, task);
  }
}
