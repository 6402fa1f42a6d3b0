import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { logEvent } from '../common/structured-log';
import { APP_CONFIG, AppConfig } from '../config/app-config';

const LOCK_LOGGER = new Logger('UserLocks');
import { AdvisoryLocks } from '../persistence/coordination/advisory-locks';

export interface LockWatchdog {
  maxWaitMs: number;
  onStuck: (key: string, waitedMs: number) => void;
}

/** Runs tasks one at a time per key (in arrival order), different keys in parallel. */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** `watchdog`: a waiter waits at most `maxWaitMs` for the holders before it, then goes on, reported as `onStuck`. */
  constructor(private readonly watchdog?: LockWatchdog) {}

  async runExclusive<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const turn = this.watchdog && this.watchdog.maxWaitMs > 0 ? this.boundedWait(key, previous, this.watchdog) : previous;
    const run = turn.then(task, task);
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

  private boundedWait(key: string, previous: Promise<unknown>, watchdog: LockWatchdog): Promise<void> {
    return new Promise<void>((resolve) => {
      const started = Date.now();
      const timer = setTimeout(() => {
        watchdog.onStuck(key, Date.now() - started);
        resolve();
      }, watchdog.maxWaitMs);
      timer.unref?.();
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      previous.then(done, done);
    });
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
  constructor(@Optional() private readonly database?: AdvisoryLocks, @Optional() @Inject(APP_CONFIG) config?: AppConfig) {
    // A holder stuck past LOCK_WATCHDOG_SECONDS (a hung call) is logged and its user given to the next waiter.
    super(
      config && config.lockWatchdogSeconds > 0
        ? {
            maxWaitMs: config.lockWatchdogSeconds * 1000,
            onStuck: (key, waitedMs) => logEvent(LOCK_LOGGER, 'lock_stuck', { key, waitedMs, action: 'released to the next waiter' }, 'error'),
          }
        : undefined,
    );
  }

  forUser<T>(pepperUserId: string, task: () => Promise<T>): Promise<T> {
    const key = `user:${pepperUserId}`;
    const database = this.database;
    return this.runExclusive(key, database?.enabled ? () => database.withLock(key, task) : task);
  }
}
