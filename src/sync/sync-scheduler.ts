import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { RunStore } from '../persistence/stores/run.store';
import { JobAlreadyRunningError } from './job-runner';
import { SyncJobs } from './sync-jobs';
import { UsersSeedJob } from './users-seed.job';

const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Starts the jobs: the users seed on a first start (or after an interrupted one), then the actions poll every
 * PEPPER_POLL_INTERVAL_SECONDS and the hourly sweep. Ticks that find their job still running are skipped.
 */
@Injectable()
export class SyncScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SyncScheduler');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: SchedulerRegistry,
    private readonly jobs: SyncJobs,
    private readonly seed: UsersSeedJob,
    private readonly runs: RunStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const abandoned = await this.runs.abandonRunning('the process stopped while this run was going on');
    if (abandoned > 0) this.logger.warn(`${abandoned} run(s) left RUNNING by a previous process marked STOPPED`);
    if (!(await this.seed.isComplete())) {
      // Not awaited: /health answers as soon as the service is up, before the seed finishes.
      void this.jobs.startUsersSeed('STARTUP').catch((e: unknown) => this.logger.error(`seed did not start: ${(e as Error).message}`));
    }
    if (!this.config.schedulerEnabled) return;
    this.every('actions-poll', this.config.pepper.pollIntervalSeconds * 1000);
    this.every('actions-sweep', SWEEP_INTERVAL_MS);
  }

  private every(job: 'actions-poll' | 'actions-sweep', ms: number): void {
    const handle = setInterval(() => {
      this.jobs.tick(job).catch((error: unknown) => {
        if (!(error instanceof JobAlreadyRunningError)) this.logger.error(`${job} tick failed: ${(error as Error).message}`);
      });
    }, ms);
    this.registry.addInterval(job, handle);
  }

  onApplicationShutdown(): void {
    for (const name of this.registry.getIntervals()) this.registry.deleteInterval(name);
  }
}
