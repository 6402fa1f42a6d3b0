import { Injectable } from '@nestjs/common';
import type { RunTrigger } from '../persistence/entities';
import { ActionsPoller } from './actions-poller';
import { JobRunner, StartedRun } from './job-runner';
import { UsersSeedJob } from './users-seed.job';

/** The jobs as the scheduler and the admin API start them; each is a recorded run that never overlaps itself. */
@Injectable()
export class SyncJobs {
  constructor(
    private readonly runner: JobRunner,
    private readonly seed: UsersSeedJob,
    private readonly poller: ActionsPoller,
  ) {}

  startUsersSeed(trigger: RunTrigger, actor: string | null = null): Promise<StartedRun> {
    return this.seed.start(trigger, actor);
  }

  startActionsPoll(trigger: RunTrigger, actor: string | null = null): Promise<StartedRun> {
    return this.runner.start('actions-poll', trigger, (ctx) => this.poller.poll(ctx), { actor });
  }

  startActionsSweep(trigger: RunTrigger, actor: string | null = null): Promise<StartedRun> {
    return this.runner.start('actions-sweep', trigger, (ctx) => this.poller.sweep(ctx), { actor });
  }

  startActionsBackfill(since: Date, dryRun: boolean, actor: string | null): Promise<StartedRun> {
    return this.runner.start('actions-backfill', 'ADMIN', (ctx) => this.poller.backfill(ctx, since, dryRun), {
      actor,
      params: { since: since.toISOString(), dryRun },
    });
  }

  /** A scheduled tick: skipped (not queued) while the same job still runs. */
  async tick(job: 'actions-poll' | 'actions-sweep'): Promise<StartedRun | null> {
    if (this.runner.isRunning(job)) return null;
    return job === 'actions-poll' ? this.startActionsPoll('SCHEDULE') : this.startActionsSweep('SCHEDULE');
  }
}
