import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { TaskPool } from '../common/bounded-concurrency';
import { Clock } from '../common/clock';
import { logEvent } from '../common/structured-log';
import { UserLinker } from './user-linker';
import { PepperClient } from '../pepper/pepper.client';
import type { PepperUser } from '../pepper/pepper.types';
import type { RunTrigger } from '../persistence/entities';
import { RunStore } from '../persistence/stores/run.store';
import { SyncStateStore } from '../persistence/stores/sync-state.store';
import { WriteInDoubtError } from '../common/deferred-error';
import { dispositionOf } from '../upstream/error-disposition';
import { JobRunner, RunContext, StartedRun } from '../core/job-runner';
import { EventParking } from '../core/event-parking';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { USERS_SEED_STARTED, UsersSeedStartedEvent } from './user-sync.types';
import { ContactIndex } from './contact-index';

const PROGRESS_EVERY = 25;

/** The pages of `source`, each next one already asked for while the caller works on the current one. */
async function* prefetched<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const pages = source[Symbol.asyncIterator]();
  let next = pages.next();
  try {
    for (;;) {
      const current = await next;
      if (current.done) return;
      next = pages.next();
      // awaited on the next turn; until then a failure must not count as unhandled
      next.catch(() => undefined);
      yield current.value;
    }
  } finally {
    // stopped early (a stop, a failed page): let the source close its own reads
    await pages.return?.(undefined).catch(() => undefined);
  }
}

/**
 * The initial seed: every Pepper user, streamed page by page (never all in memory), each linked, created or
 * reported as a conflict. Safe to re-run: existing links cost no CRM.COM call, and contact creation is keyed.
 */
@Injectable()
export class UsersSeedJob {
  private readonly logger = new Logger('UsersSeedJob');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly pepper: PepperClient,
    private readonly linker: UserLinker,
    private readonly syncState: SyncStateStore,
    private readonly runs: RunStore,
    private readonly parking: EventParking,
    private readonly runner: JobRunner,
    private readonly clock: Clock,
    private readonly emitter: EventEmitter2,
    private readonly index: ContactIndex,
  ) {}

  start(trigger: RunTrigger, actor: string | null = null): Promise<StartedRun> {
    return this.runner.start('users-seed', trigger, (ctx) => this.run(ctx), { actor });
  }

  async isComplete(): Promise<boolean> {
    return (await this.syncState.get('pepper.users-seed'))?.stage === 'DONE';
  }

  private async run(ctx: RunContext): Promise<void> {
    const startedAt = this.clock.now();
    const firstSeed = !(await this.isComplete());
    await this.syncState.update('pepper.users-seed', { stage: 'RUNNING', startedAt, lastError: null });
    // The actions feed starts where the first seed starts, so changes made during the seed are caught.
    await this.syncState.initialiseCursor('pepper.actions', startedAt.toISOString(), startedAt);
    // So does the journal feed: wallet history before the first seed is carried by the opening balances.
    await this.syncState.initialiseCursor('crmcom.journals', startedAt.toISOString(), startedAt);
    // Listeners prepare what linking needs in bulk (the opening balances' award snapshot); they never fail the seed.
    const started: UsersSeedStartedEvent = { startedAt: startedAt.toISOString() };
    this.index.begin();
    // A first seed matches every user: its contact index is read while the award snapshot downloads.
    if (firstSeed) this.index.preload();
    await this.emitter.emitAsync(USERS_SEED_STARTED, started);
    // One pool for the whole seed: a page's users start while the slowest of the page before finish (no barrier per page).
    const lanes = new TaskPool(this.config.syncConcurrency);
    try {
      for await (const page of prefetched(this.pepper.usersPages({ pageSize: this.config.pepper.pageSize }))) {
        // What CRM.COM created since the last page (elsewhere, or by us: our new contacts' wallets) before matching more.
        await this.index.refresh();
        for (const invalid of page.invalid) {
          ctx.add('invalid');
          await this.parking.parkInvalid('pepper', 'USER_SYNC', invalid);
        }
        for (const user of page.items) await lanes.start(() => this.syncOne(ctx, user));
        ctx.add('pages');
        await this.runs.saveCounts(ctx.runId, ctx.counts);
        if (ctx.stopping) {
          await lanes.drain();
          await this.finishIndex(ctx);
          await this.syncState.update('pepper.users-seed', { stage: firstSeed ? 'INTERRUPTED' : 'DONE' });
          return;
        }
      }
      await lanes.drain();
      await this.finishIndex(ctx);
    } catch (error) {
      // Nothing this run started may still be writing when it is marked stopped.
      await lanes.settle();
      await this.syncState.update('pepper.users-seed', {
        stage: firstSeed ? 'INTERRUPTED' : 'DONE',
        lastError: (error as Error).message,
      });
      throw error;
    }
    await this.syncState.update('pepper.users-seed', { stage: 'DONE', cursor: 'DONE', failureCount: 0 });
  }

  /** The last refresh settles the contacts created on the last page; what the index cost goes into the run's counts. */
  private async finishIndex(ctx: RunContext): Promise<void> {
    await this.index.finish();
    for (const [name, value] of Object.entries(this.index.counts())) if (value > 0) ctx.add(`contactIndex.${name}`, value);
  }

  private async syncOne(ctx: RunContext, user: PepperUser): Promise<void> {
    ctx.add('users');
    // Progress for /admin/runs and the demo, without a write per user.
    if ((ctx.counts.users ?? 0) % PROGRESS_EVERY === 0) await this.runs.saveCounts(ctx.runId, ctx.counts);
    if (user.deleted) {
      ctx.add('skippedDeleted');
      return;
    }
    try {
      const outcome = await this.linker.syncUser(user, null, 'index');
      ctx.add(outcome.result.toLowerCase());
      if (outcome.conflictKind) ctx.add(`conflict.${outcome.conflictKind}`);
    } catch (error) {
      if (dispositionOf(error) === 'FAIL_RUN') throw error;
      if (error instanceof WriteInDoubtError) {
        ctx.add('inDoubt');
        await this.parking.queueUserSync(user.id, error.retryAt, error.message);
        return;
      }
      ctx.add('failed');
      await this.parking.parkUserSync(user.id, error);
      logEvent(this.logger, 'user_sync_failed', { pepperUserId: user.id, error: (error as Error).message }, 'warn');
    }
  }
}
