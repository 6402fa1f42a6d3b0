import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { FeedName } from '../persistence/entities';
import { EventStore } from '../persistence/stores/event.store';
import { SyncStateStore } from '../persistence/stores/sync-state.store';

export interface FeedReport {
  feed: FeedName;
  /** how far the cursor is behind now; null when the feed has no time cursor yet */
  lagSeconds: number | null;
  waitingEvents: number;
  /** age of the oldest event of the feed still waiting (for a link, an echo, an opening balance, loyalty) */
  oldestWaitSeconds: number | null;
  /** the cursor is further behind than ALERT_FEED_STALL_MINUTES (plus the poll interval and lag it always has) */
  stalled: boolean;
  lastError: string | null;
}

const LIVE_FEEDS: ReadonlyArray<{ feed: FeedName; source: 'pepper' | 'crmcom' }> = [
  { feed: 'pepper.actions', source: 'pepper' },
  { feed: 'crmcom.journals', source: 'crmcom' },
];

/** How far behind each live feed is: what metrics, readiness and the stall alert all read. */
@Injectable()
export class FeedHealth {
  constructor(
    private readonly syncState: SyncStateStore,
    private readonly events: EventStore,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async report(): Promise<FeedReport[]> {
    const now = this.clock.nowMs();
    const states = new Map((await this.syncState.all()).map((s) => [s.feed, s]));
    const reports: FeedReport[] = [];
    for (const { feed, source } of LIVE_FEEDS) {
      const state = states.get(feed);
      if (!state) continue;
      const cursorMs = state.cursor ? Date.parse(state.cursor) : NaN;
      const lagSeconds = Number.isNaN(cursorMs) ? null : Math.max(0, Math.round((now - cursorMs) / 1000));
      const waits = await this.events.waitingSummary(source);
      reports.push({
        feed,
        lagSeconds,
        waitingEvents: waits.count,
        oldestWaitSeconds: waits.oldestSince ? Math.max(0, Math.round((now - waits.oldestSince.getTime()) / 1000)) : null,
        stalled: lagSeconds !== null && lagSeconds > this.stallThresholdSeconds(feed),
        lastError: state.lastError,
      });
    }
    return reports;
  }

  /** A healthy feed is always up to one poll interval (and Pepper's indexing lag) behind; beyond that plus the threshold it is stalled. */
  stallThresholdSeconds(feed: FeedName): number {
    const normal =
      feed === 'pepper.actions'
        ? this.config.pepper.pollIntervalSeconds + this.config.pepper.pollLagSeconds
        : this.config.crmcom.pollIntervalSeconds;
    return normal + this.config.ops.alertFeedStallMinutes * 60;
  }
}
