import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { Clock } from '../../common/clock';
import type { JobName } from '../../persistence/entities';
import { ConflictStore } from '../../persistence/stores/conflict.store';
import { EventStore } from '../../persistence/stores/event.store';
import { LinkStore } from '../../persistence/stores/link.store';
import { RunStore } from '../../persistence/stores/run.store';
import { SyncStateStore } from '../../persistence/stores/sync-state.store';
import { WriteLog } from '../../persistence/stores/write-log.store';
import { LoyaltyStatus } from '../../loyalty/flows/loyalty-status';
import { presentRun } from '../presenters';
import { JobLeases } from '../../persistence/coordination/job-leases';
import { Instance } from '../../persistence/coordination/instance';
import { RecentValue } from '../../common/recent-value';

/** A write younger than this is still being answered, not in doubt. */
const IN_DOUBT_AFTER_MS = 60_000;

const JOBS: JobName[] = ['users-seed', 'actions-poll', 'actions-sweep', 'actions-backfill', 'perks-sync', 'journals-poll', 'journals-sweep', 'reconcile'];

@Injectable()
export class GetStatusUseCase {
  constructor(
    private readonly syncState: SyncStateStore,
    private readonly runs: RunStore,
    private readonly links: LinkStore,
    private readonly conflicts: ConflictStore,
    private readonly events: EventStore,
    private readonly loyalty: LoyaltyStatus,
    private readonly clock: Clock,
    private readonly writeLog: WriteLog,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly leases: JobLeases,
    private readonly instance: Instance,
  ) {
    // The totals count whole tables: at most once per OPS_COUNTS_SECONDS (README "Performance").
    this.counts = new RecentValue(config.ops.countsEverySeconds * 1000, () => this.countAll(), () => this.clock.nowMs());
  }

  private readonly counts: RecentValue<Awaited<ReturnType<GetStatusUseCase['countAll']>>>;

  async execute() {
    const now = this.clock.nowMs();
    const waiting = { pepper: await this.events.waitingSummary('pepper'), crmcom: await this.events.waitingSummary('crmcom') };
    const feeds = (await this.syncState.all()).filter((s) => s.feed !== 'sync.mode').map((s) => {
      const cursorMs = s.cursor ? Date.parse(s.cursor) : NaN;
      // Events of the feed that wait (for a link, an echo, an opening balance, loyalty): bounded by MAX_WAIT_HOURS.
      const waits = s.feed === 'pepper.actions' ? waiting.pepper : s.feed === 'crmcom.journals' ? waiting.crmcom : null;
      return {
        feed: s.feed,
        cursor: s.cursor,
        stage: s.stage,
        lagSeconds: Number.isNaN(cursorMs) ? null : Math.max(0, Math.round((now - cursorMs) / 1000)),
        startedAt: s.startedAt,
        lastError: s.lastError,
        updatedAt: s.updatedAt,
        ...(waits && {
          waitingEvents: waits.count,
          oldestWaitSeconds: waits.oldestSince ? Math.max(0, Math.round((now - waits.oldestSince.getTime()) / 1000)) : null,
        }),
      };
    });
    const jobs: Record<string, unknown> = {};
    // Several instances (Postgres): which instance holds each job's lease now (null: none is running it).
    const holders = await this.leases.holders();
    for (const job of JOBS) {
      const last = await this.runs.lastRunOf(job);
      jobs[job] = last ? { ...presentRun(last), instance: last.instance, heldBy: holders[job]?.instance ?? null } : null;
    }
    const { totals, shadowWrites, writes } = await this.counts.get();
    return {
      instance: this.instance.id,
      feeds,
      jobs,
      jobHolders: holders,
      totals,
      loyalty: this.loyalty.current(),
      syncMode: { mode: this.config.syncMode, shadowWrites },
      writes,
    };
  }


  private async countAll() {
    const eventStates = await this.events.countByState();
    const linkStatuses = await this.links.countByStatus();
    const openConflicts = await this.conflicts.countOpenByKind();
    return {
      totals: {
        links: linkStatuses,
        linksByMatch: await this.links.countByMatch(),
        openConflicts: Object.values(openConflicts).reduce((a, b) => a + b, 0),
        openConflictsByKind: openConflicts,
        failedEvents: eventStates.FAILED ?? 0,
        events: eventStates,
      },
      shadowWrites: await this.writeLog.shadowSummary(),
      writes: await this.writesInDoubt(this.clock.nowMs()),
    };
  }

  private async writesInDoubt(now: number) {
    const byTarget = await this.writeLog.countInDoubt(new Date(now - IN_DOUBT_AFTER_MS));
    return { inDoubt: byTarget.pepper + byTarget.crmcom, byTarget };
  }
}
