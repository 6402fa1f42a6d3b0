import { Injectable } from '@nestjs/common';
import type { JobName, RunTrigger } from '../persistence/entities';
import { ActionsPoller } from './actions-poller';
import { JobRunner, RunContext, StartedRun } from '../core/job-runner';
import { JournalPoller } from '../loyalty/flows/journal-poller';
import { PerksSync } from '../loyalty/flows/perks-sync';
import { ReconcileScope, Reconciliation } from '../loyalty/flows/reconciliation';
import { LinkRepair } from '../loyalty/flows/link-repair';
import { UsersSeedJob } from '../customers/users-seed.job';
import { SegmentMirror } from '../audiences/segment-mirror';
import { NotificationStatusPoller } from '../notifications/notification-status-poller';
import { ProductSync } from '../products/product-sync';

import { PepperEventProcessor } from './pepper-event-processor';
import { CrmEventProcessor } from '../loyalty/flows/crm-event-processor';
import { LoyaltyStatus } from '../loyalty/flows/loyalty-status';

export type ScheduledJob =
  | 'actions-poll'
  | 'actions-sweep'
  | 'journals-poll'
  | 'journals-sweep'
  | 'perks-sync'
  | 'reconcile'
  | 'segments-sync'
  | 'products-sync'
  | 'notifications-poll'
  | 'pepper-queue'
  | 'crmcom-queue';

/** The jobs as the scheduler and the admin API start them; each is a recorded run that never overlaps itself. */
@Injectable()
export class SyncJobs {
  constructor(
    private readonly runner: JobRunner,
    private readonly seed: UsersSeedJob,
    private readonly actions: ActionsPoller,
    private readonly journals: JournalPoller,
    private readonly perks: PerksSync,
    private readonly reconciliation: Reconciliation,
    private readonly repair: LinkRepair,
    private readonly segments: SegmentMirror,
    private readonly products: ProductSync,
    private readonly notificationStatus: NotificationStatusPoller,
    private readonly pepperQueue: PepperEventProcessor,
    private readonly crmQueue: CrmEventProcessor,
    private readonly loyalty: LoyaltyStatus,
  ) {}

  /** Mirrors the CRM.COM audiences into Pepper segments (all sources, or one). */
  startSegmentsSync(trigger: RunTrigger, actor: string | null = null, source?: string): Promise<StartedRun> {
    return this.runner.start('segments-sync', trigger, (ctx) => this.segments.run(ctx, source), { actor, params: source ? { source } : null });
  }

  startProductsSync(trigger: RunTrigger, actor: string | null = null): Promise<StartedRun> {
    return this.run('products-sync', trigger, actor, (ctx) => this.products.run(ctx));
  }

  startNotificationsPoll(trigger: RunTrigger, actor: string | null = null): Promise<StartedRun> {
    return this.run('notifications-poll', trigger, actor, (ctx) => this.notificationStatus.run(ctx));
  }

  startUsersSeed(trigger: RunTrigger, actor: string | null = null): Promise<StartedRun> {
    return this.seed.start(trigger, actor);
  }

  startActionsPoll(trigger: RunTrigger, actor: string | null = null): Promise<StartedRun> {
    return this.run('actions-poll', trigger, actor, (ctx) => this.actions.poll(ctx));
  }

  startActionsBackfill(since: Date, dryRun: boolean, actor: string | null): Promise<StartedRun> {
    return this.runner.start('actions-backfill', 'ADMIN', (ctx) => this.actions.backfill(ctx, since, dryRun), {
      actor,
      params: { since: since.toISOString(), dryRun },
    });
  }

  startJournalsPoll(trigger: RunTrigger, actor: string | null = null): Promise<StartedRun> {
    return this.run('journals-poll', trigger, actor, (ctx) => this.journals.poll(ctx));
  }

  startPerksSync(trigger: RunTrigger, actor: string | null = null): Promise<StartedRun> {
    return this.run('perks-sync', trigger, actor, (ctx) => this.perks.run(ctx));
  }

  startReconcile(trigger: RunTrigger, dryRun: boolean, actor: string | null = null, scope: ReconcileScope = {}): Promise<StartedRun> {
    return this.runner.start('reconcile', trigger, (ctx) => this.reconciliation.run(ctx, dryRun, scope), {
      actor,
      params: scope.pepperUserId ? { dryRun, pepperUserId: scope.pepperUserId } : { dryRun },
    });
  }

  /** A scheduled tick: skipped (not queued) while the same job still runs. */
  async tick(job: ScheduledJob, options: { reconcileDryRun?: boolean } = {}): Promise<StartedRun | null> {
    if (this.runner.isRunning(job)) return null;
    switch (job) {
      case 'actions-poll':
        return this.startActionsPoll('SCHEDULE');
      case 'actions-sweep':
        return this.run('actions-sweep', 'SCHEDULE', null, async (ctx) => {
          await this.actions.sweep(ctx);
          await this.repair.run(ctx);
        });
      case 'journals-poll':
        return this.startJournalsPoll('SCHEDULE');
      case 'journals-sweep':
        return this.run('journals-sweep', 'SCHEDULE', null, (ctx) => this.journals.sweep(ctx));
      case 'perks-sync':
        return this.startPerksSync('SCHEDULE');
      case 'reconcile':
        return this.startReconcile('SCHEDULE', options.reconcileDryRun ?? true);
      case 'segments-sync':
        return this.startSegmentsSync('SCHEDULE');
      case 'products-sync':
        return this.startProductsSync('SCHEDULE');
      case 'notifications-poll':
        return this.startNotificationsPoll('SCHEDULE');
      // Several instances (Postgres): every instance works its claimed share of each queue, between the polls.
      case 'pepper-queue':
        return this.runner.start(
          job,
          'SCHEDULE',
          async (ctx) => {
            await this.loyalty.followStoredCatalogue();
            await this.pepperQueue.processDue(ctx);
          },
          { perInstance: true },
        );
      case 'crmcom-queue':
        return this.runner.start(job, 'SCHEDULE', (ctx) => this.crmQueue.processDue(ctx), { perInstance: true });
    }
  }

  private run(job: JobName, trigger: RunTrigger, actor: string | null, work: (ctx: RunContext) => Promise<void>): Promise<StartedRun> {
    return this.runner.start(job, trigger, work, { actor });
  }
}
