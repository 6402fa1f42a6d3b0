import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { Clock } from '../common/clock';
import { logEvent } from '../common/structured-log';
import { PepperClient } from '../pepper/pepper.client';
import { EventStore } from '../persistence/stores/event.store';
import { SyncStateStore } from '../persistence/stores/sync-state.store';
import { EventParking, USER_SYNC_EVENT } from '../core/event-parking';
import type { RunContext } from '../core/job-runner';
import { USER_ACTION_TYPES } from './pepper-event-handler';
import { PepperEventProcessor } from './pepper-event-processor';
import { LOYALTY_ACTION_TYPES } from '../loyalty/flows/pepper-loyalty-handler';
import { BackfillPlan } from '../loyalty/flows/backfill-plan';

/** Loyalty actions are taken in even while loyalty is off: they are parked with the reason, never lost. */
export const POLLED_ACTION_TYPES: readonly string[] = [...USER_ACTION_TYPES, ...LOYALTY_ACTION_TYPES];

export interface ActionWindow {
  gt: string;
  lte: string;
  /** the window was cut at MAX_WINDOW_MS: the feed is behind and the next slice follows at once */
  capped?: boolean;
}

/** A backfill replays what can be replayed safely: orders and user events. Wallet movements of the past are in the opening balances. */
export const BACKFILL_ACTION_TYPES: readonly string[] = [...USER_ACTION_TYPES, 'ORDER_COMPLETED'];

/** The longest window one request asks for: a feed far behind (an outage) catches up in bounded slices. */
const MAX_WINDOW_MS = 60 * 60_000;

/**
 * Follows Pepper's actions feed (README, "The actions feed"). Each window starts `overlap` before the cursor
 * because actions can be indexed late; dedupe on the action id makes the overlap free. The window ends
 * `lag` before now for the same reason. The cursor moves to the window's end only when every action in the
 * window is settled, so a crash anywhere loses nothing.
 */
@Injectable()
export class ActionsPoller {
  private readonly logger = new Logger('ActionsPoller');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly pepper: PepperClient,
    private readonly events: EventStore,
    private readonly syncState: SyncStateStore,
    private readonly parking: EventParking,
    private readonly processor: PepperEventProcessor,
    private readonly backfillPlan: BackfillPlan,
    private readonly clock: Clock,
  ) {}

  /** The next window from the stored cursor (returned with it), or null before the first seed has set one. */
  async nextWindow(): Promise<(ActionWindow & { cursor: string }) | null> {
    const state = await this.syncState.get('pepper.actions');
    if (!state?.cursor) return null;
    const { pollOverlapSeconds, pollLagSeconds } = this.config.pepper;
    const cursorMs = Date.parse(state.cursor);
    const gt = this.notBeforeFeedStart(cursorMs - pollOverlapSeconds * 1000, state.startedAt);
    const end = this.clock.nowMs() - pollLagSeconds * 1000;
    const lte = Math.min(end, cursorMs + MAX_WINDOW_MS);
    return { cursor: state.cursor, gt: new Date(gt).toISOString(), lte: new Date(lte).toISOString(), capped: lte < end };
  }

  /** History before the feed's start (the first seed) is in the opening balances, never read as movements. */
  private notBeforeFeedStart(gtMs: number, feedStart: Date | null): number {
    return feedStart ? Math.max(gtMs, feedStart.getTime() - 1) : gtMs;
  }

  /** Reads window after window (each at most MAX_WINDOW_MS) until the feed is caught up or a window is held. */
  async poll(ctx: RunContext): Promise<void> {
    for (;;) {
      const window = await this.nextWindow();
      if (!window) {
        ctx.add('noCursorYet');
        return;
      }
      const { cursor } = window;
      const moves = Date.parse(window.lte) > Date.parse(cursor);
      // The new part first, worked at once; then the overlap, re-read only for actions indexed late. After a burst
      // the overlap is many pages of actions already taken in, and a new order would wait for all of them.
      if (moves) await this.ingest(ctx, { gt: cursor, lte: window.lte }, false);
      await this.processor.processDue(ctx);
      if (ctx.stopping || !moves) return;
      if (Date.parse(window.gt) < Date.parse(cursor)) {
        const keepUp = this.keepingUp(ctx, window.lte);
        if ((await this.ingest(ctx, { gt: window.gt, lte: cursor }, false, POLLED_ACTION_TYPES, keepUp)) > 0) await this.processor.processDue(ctx);
        if (ctx.stopping) return;
      }
      // Waiting events (bounded) never hold the feed; an event neither settled nor waiting does.
      if (await this.events.holdsCursor('pepper', [USER_SYNC_EVENT])) {
        ctx.add('cursorHeld');
        logEvent(this.logger, 'cursor_held', { feed: 'pepper.actions', cursor });
        return;
      }
      await this.syncState.update('pepper.actions', { cursor: window.lte, failureCount: 0, lastError: null, stage: 'IDLE' });
      ctx.add('cursorAdvanced');
      if (!window.capped) return;
    }
  }

  /**
   * While the overlap is re-read (after a burst, such as a seed's opening grants, many pages of actions already taken
   * in), what is new since the poll began is read and worked once every poll interval, between its pages: an order
   * placed meanwhile waits for one interval, not for the whole overlap. The cursor still moves only to the window's end;
   * the actions read past it are recorded (and worked) early, and seen again by the next poll as duplicates.
   */
  private keepingUp(ctx: RunContext, readUpTo: string): () => Promise<void> {
    const intervalMs = this.config.pepper.pollIntervalSeconds * 1000;
    let lastRead = this.clock.nowMs();
    return async () => {
      if (ctx.stopping || this.clock.nowMs() - lastRead < intervalMs) return;
      lastRead = this.clock.nowMs();
      const lte = new Date(lastRead - this.config.pepper.pollLagSeconds * 1000).toISOString();
      if (Date.parse(lte) <= Date.parse(readUpTo)) return;
      const window = { gt: readUpTo, lte };
      readUpTo = lte;
      if ((await this.ingest(ctx, window, false)) > 0) await this.processor.processDue(ctx);
      ctx.add('keptUpDuringOverlap');
    };
  }

  /** Re-reads the last PEPPER_SWEEP_HOURS; anything found for the first time arrived later than the overlap. */
  async sweep(ctx: RunContext): Promise<void> {
    const state = await this.syncState.get('pepper.actions');
    if (!state?.cursor) return;
    const now = this.clock.nowMs();
    const window = {
      gt: new Date(this.notBeforeFeedStart(now - this.config.pepper.sweepHours * 3_600_000, state.startedAt)).toISOString(),
      lte: new Date(now - this.config.pepper.pollLagSeconds * 1000).toISOString(),
    };
    await this.ingest(ctx, window, true);
    await this.processor.processDue(ctx);
  }

  /**
   * Older actions (before the first start), fetched only on request: orders and user events only — wallet movements
   * of the past are inside the opening balances. A dry run says what it would write, and writes nothing.
   */
  async backfill(ctx: RunContext, since: Date, dryRun: boolean): Promise<void> {
    const cursor = (await this.syncState.get('pepper.actions'))?.cursor;
    const end = cursor ? new Date(cursor) : new Date(this.clock.nowMs() - this.config.pepper.pollLagSeconds * 1000);
    const window = { gt: since.toISOString(), lte: end.toISOString() };
    if (dryRun) {
      for await (const page of this.pepper.actionsPages({ ...window, types: BACKFILL_ACTION_TYPES, pageSize: this.config.pepper.pageSize })) {
        const known = new Set((await this.events.findByExternalIds('pepper', page.items.map((a) => a.id))).map((e) => e.externalId));
        for (const action of page.items) {
          if (known.has(action.id)) ctx.add('alreadyTakenIn');
          else await this.backfillPlan.count(ctx, action);
        }
        ctx.add('wouldPark', page.invalid.length);
      }
      return;
    }
    await this.ingest(ctx, window, false, BACKFILL_ACTION_TYPES);
    await this.processor.processDue(ctx);
  }

  /** Records every action of the window (duplicates ignored); returns how many were new. `onPage` runs as each page arrives, before it is recorded. */
  private async ingest(
    ctx: RunContext,
    window: ActionWindow,
    reportLate: boolean,
    types: readonly string[] = POLLED_ACTION_TYPES,
    onPage?: () => Promise<void>,
  ): Promise<number> {
    let fresh = 0;
    for await (const page of this.pepper.actionsPages({ ...window, types, pageSize: this.config.pepper.pageSize })) {
      await onPage?.();
      for (const invalid of page.invalid) {
        await this.parking.parkInvalid('pepper', 'UNKNOWN', invalid);
        ctx.add('invalid');
      }
      const recorded = await this.events.recordNew(
        'pepper',
        page.items.map((action) => ({
          externalId: action.id,
          type: action.type,
          pepperUserId: action.userId,
          payload: action.raw,
          occurredAt: action.timestamp,
        })),
      );
      for (const action of page.items) {
        const isNew = recorded.has(action.id);
        if (isNew) fresh += 1;
        ctx.add(isNew ? 'actionsNew' : 'actionsDuplicate');
        if (isNew && reportLate) {
          logEvent(this.logger, 'late_arrival', { actionId: action.id, type: action.type, timestamp: action.timestamp, note: 'seen first by the sweep: PEPPER_POLL_OVERLAP_SECONDS may be too short' }, 'warn');
        }
      }
    }
    return fresh;
  }
}
