import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { RunStore } from '../persistence/stores/run.store';
import { ModeSwitch } from './mode-switch';
import { JobAlreadyRunningError } from '../core/job-runner';
import { ScheduledJob, SyncJobs } from './sync-jobs';
import { UsersSeedJob } from '../customers/users-seed.job';
import { LoyaltyStatus } from '../loyalty/flows/loyalty-status';

const HOUR_MS = 60 * 60 * 1000;
const PERKS_RETRY = 'perks-sync-retry';
const PERKS_RETRY_FIRST_MS = 30_000;
const PERKS_RETRY_MAX_MS = HOUR_MS;
/**
 * Polls whose tick, found still running, is owed rather than skipped: the run that overran is followed at once. A long
 * actions poll (many pages, README "The actions feed") would otherwise leave new orders an extra interval to wait.
 */
const CATCH_UP_JOBS: ReadonlySet<ScheduledJob> = new Set<ScheduledJob>(['actions-poll']);

/**
 * Starts the jobs. At boot: the perk catalogue (it decides whether loyalty runs, and must be known before users
 * are linked so their opening balances apply), then the users seed on a first start (or after an interrupted one).
 * Then the actions and journal polls, the hourly sweeps, the daily perks and the reconciliation cron. Ticks that
 * find their job still running are skipped, except the actions poll's: it runs again as soon as the run ends.
 */
@Injectable()
export class SyncScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SyncScheduler');
  private stopped = false;
  /** catch-up jobs whose tick found them running */
  private readonly owed = new Set<ScheduledJob>();
  /** Settles when the start-up sequence (perk catalogue, then the first seed if needed) has started its jobs. */
  ready: Promise<void> = Promise.resolve();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: SchedulerRegistry,
    private readonly jobs: SyncJobs,
    private readonly seed: UsersSeedJob,
    private readonly runs: RunStore,
    private readonly loyalty: LoyaltyStatus,
    private readonly modeSwitch: ModeSwitch,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // First, before anything writes: a start whose pinned loyalty settings changed is refused here, and the first live
    // start after a shadow rehearsal starts from scratch.
    await this.loyalty.restore();
    await this.modeSwitch.apply();
    // On Postgres other instances may be running: a job's dead runs are closed by whoever takes its lease over.
    const abandoned = this.config.databaseUrl ? 0 : await this.runs.abandonRunning('the process stopped while this run was going on');
    if (abandoned > 0) this.logger.warn(`${abandoned} run(s) left RUNNING by a previous process marked STOPPED`);
    const seedNeeded = !(await this.seed.isComplete());
    // Not awaited: /health answers as soon as the service is up, before these finish.
    this.ready = this.startup(seedNeeded);
    if (!this.config.schedulerEnabled) return;
    this.every('actions-poll', this.config.pepper.pollIntervalSeconds * 1000);
    this.every('journals-poll', this.config.crmcom.pollIntervalSeconds * 1000);
    this.every('actions-sweep', HOUR_MS);
    this.every('journals-sweep', HOUR_MS);
    this.every('perks-sync', 24 * HOUR_MS);
    // Segments, products and notification statuses (design §9): each only when configured.
    if (this.config.audiences.segmentSources.length > 0) this.every('segments-sync', HOUR_MS);
    if (this.config.products.locations.length > 0) this.every('products-sync', 24 * HOUR_MS);
    this.every('notifications-poll', this.config.audiences.notificationPollSeconds * 1000);
    if (this.config.databaseUrl) {
      this.every('pepper-queue', this.config.pepper.pollIntervalSeconds * 1000);
      this.every('crmcom-queue', this.config.crmcom.pollIntervalSeconds * 1000);
    }
    const reconcile = CronJob.from({ cronTime: this.config.loyalty.reconcileCron, onTick: () => this.tick('reconcile'), start: true });
    this.registry.addCronJob('reconcile', reconcile as never);
  }

  private async startup(seedNeeded: boolean): Promise<void> {
    // Retried at the poll cadence at first: loyalty events wait meanwhile.
    await this.syncPerksUntilDone(Math.min(PERKS_RETRY_FIRST_MS, this.config.pepper.pollIntervalSeconds * 1000));
    if (!seedNeeded) return;
    await this.jobs.startUsersSeed('STARTUP').then(
      () => undefined,
      (e: unknown) => {
        // Another instance is seeding (Postgres): not an error.
        if (e instanceof JobAlreadyRunningError) this.logger.log(e.message);
        else this.logger.error(`seed did not start: ${(e as Error).message}`);
      },
    );
  }

  /** The catalogue decides whether loyalty runs: a failed read is tried again (with backoff) until it works. */
  private async syncPerksUntilDone(retryInMs: number): Promise<void> {
    let ok = false;
    try {
      const run = await this.jobs.startPerksSync('STARTUP');
      await run.done;
      ok = (await this.runs.get(run.runId))?.state === 'DONE';
    } catch (error) {
      if (error instanceof JobAlreadyRunningError) {
        // Another instance is reading the catalogue (Postgres): follow what it stores.
        await this.loyalty.followStoredCatalogue().catch(() => undefined);
        ok = this.loyalty.current().state === 'ACTIVE';
      } else {
        this.logger.error(`perks sync did not start: ${(error as Error).message}`);
      }
    }
    if (ok || this.stopped) return;
    this.logger.warn(`the Pepper perk catalogue could not be read; trying again in ${Math.round(retryInMs / 1000)} s`);
    if (this.registry.doesExist('timeout', PERKS_RETRY)) this.registry.deleteTimeout(PERKS_RETRY);
    this.registry.addTimeout(
      PERKS_RETRY,
      setTimeout(() => void this.syncPerksUntilDone(Math.min(retryInMs * 2, PERKS_RETRY_MAX_MS)), retryInMs),
    );
  }

  private every(job: ScheduledJob, ms: number): void {
    this.registry.addInterval(job, setInterval(() => this.tick(job), ms));
  }

  private tick(job: ScheduledJob): void {
    // Several instances: a seed whose instance died is taken up by whichever instance's poll comes next.
    if (job === 'actions-poll' && this.config.databaseUrl) void this.resumeSeed();
    this.jobs
      .tick(job, { reconcileDryRun: !this.config.loyalty.reconcileFix })
      .then((run) => {
        if (!CATCH_UP_JOBS.has(job)) return;
        if (!run) {
          this.owed.add(job);
          return;
        }
        void run.done.then(() => {
          if (this.owed.delete(job) && !this.stopped) this.tick(job);
        });
      })
      .catch((error: unknown) => {
        if (!(error instanceof JobAlreadyRunningError)) this.logger.error(`${job} tick failed: ${(error as Error).message}`);
      });
  }

  private async resumeSeed(): Promise<void> {
    try {
      if (await this.seed.isComplete()) return;
      await this.jobs.startUsersSeed('SCHEDULE');
    } catch (error) {
      if (!(error instanceof JobAlreadyRunningError)) this.logger.error(`seed did not resume: ${(error as Error).message}`);
    }
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    for (const name of this.registry.getIntervals()) this.registry.deleteInterval(name);
    for (const name of this.registry.getTimeouts()) this.registry.deleteTimeout(name);
    for (const [name, job] of this.registry.getCronJobs()) {
      void job.stop();
      this.registry.deleteCronJob(name);
    }
  }
}
