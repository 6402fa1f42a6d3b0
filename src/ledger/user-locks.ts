import { Injectable, Optional } from '@nestjs/common';
import { AdvisoryLocks } from '../persistence/coordination/advisory-locks';

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
 * (e.g. the seed and the poller creating the same contact). On Postgres it is also a database lock (an advisory lock
 * on the user), so two instances never work on one user at once; in-process callers queue in memory first, so one
 * instance holds at most one database lock per user.
 */
@Injectable()
export class UserLocks extends KeyedMutex {
  constructor(@Optional() private readonly database?: AdvisoryLocks) {
    super();
  }

  forUser<T>(pepperUserId: string, task: () => Promise<T>): Promise<T> {
    const key = `user:${pepperUserId}`;
    const database = this.database;
    return this.runExclusive(key, database?.enabled ? () => database.withLock(key, task) : task);
  }
}
