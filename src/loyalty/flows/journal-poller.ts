import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { Clock } from '../../common/clock';
import { logEvent } from '../../common/structured-log';
import { CrmComClient } from '../../crmcom/crmcom.client';
import { EventStore, NewInboundEvent } from '../../persistence/stores/event.store';
import { LinkStore } from '../../persistence/stores/link.store';
import { SyncStateStore } from '../../persistence/stores/sync-state.store';
import { EventParking } from '../../core/event-parking';
import type { RunContext } from '../../core/job-runner';
import { CrmEventProcessor } from './crm-event-processor';
import { OPENING_BALANCE_EVENT } from './opening-balance';

/** Pages one poll reads at most: a feed far behind catches up in bounded slices instead of re-reading everything. */
const MAX_PAGES_PER_POLL = 50;
/** The feed's stage while a poll cut short leaves journals still to read (shown in /admin/status). */
const CATCHING_UP = 'CATCHING_UP';

/**
 * Follows CRM.COM's wallet journals (README, "Wallet → Pepper"). posted_on has whole seconds and may be a
 * business date in the past, hence the overlap and the hourly sweep; dedupe on the journal id makes both free.
 * The cursor moves to the poll's start only when every journal of the window is settled.
 */
@Injectable()
export class JournalPoller {
  private readonly logger = new Logger('JournalPoller');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly crm: CrmComClient,
    private readonly events: EventStore,
    private readonly links: LinkStore,
    private readonly syncState: SyncStateStore,
    private readonly parking: EventParking,
    private readonly processor: CrmEventProcessor,
    private readonly clock: Clock,
  ) {}

  async poll(ctx: RunContext): Promise<void> {
    const state = await this.syncState.get('crmcom.journals');
    const cursor = state?.cursor;
    if (!cursor) {
      ctx.add('noCursorYet');
      await this.processor.processDue(ctx);
      return;
    }
    const startedAt = this.clock.now();
    // After a poll cut short the cursor is the last second read, and the next poll goes on from it, not from the overlap
    // before it: more journals inside the overlap than one poll reads (a seed's opening balances, a busy lunch) would
    // be read again at every poll, for ever. Back-dated journals passed meanwhile are the sweep's.
    const overlap = state?.stage === CATCHING_UP ? 0 : this.config.crmcom.pollOverlapSeconds;
    const read = await this.ingest(ctx, Math.floor(Date.parse(cursor) / 1000) - overlap, false, MAX_PAGES_PER_POLL);
    await this.processor.processDue(ctx);
    if (ctx.stopping) return;
    // Waiting events (bounded) never hold the feed; an event neither settled nor waiting does.
    // An opening balance still to apply is the connector's own event, not a journal: a seed's thousands never hold the feed.
    if (await this.events.holdsCursor('crmcom', [OPENING_BALANCE_EVENT])) {
      ctx.add('cursorHeld');
      logEvent(this.logger, 'cursor_held', { feed: 'crmcom.journals', cursor });
      return;
    }
    // Cut short: the cursor moves to the last second read (the overlap re-reads that second), so the next poll goes on.
    const next = read.complete ? startedAt : new Date(Math.max(Date.parse(cursor), (read.lastPostedOn ?? 0) * 1000));
    await this.syncState.update('crmcom.journals', { cursor: next.toISOString(), lastError: null, failureCount: 0, stage: read.complete ? 'IDLE' : CATCHING_UP });
    ctx.add(read.complete ? 'cursorAdvanced' : 'cursorAdvancedPartly');
  }

  /** Re-reads the last CRMCOM_SWEEP_HOURS: journals posted with a business date in the past show up here. */
  async sweep(ctx: RunContext): Promise<void> {
    if (!(await this.syncState.get('crmcom.journals'))?.cursor) return;
    const postedOnGte = Math.floor(this.clock.nowMs() / 1000) - this.config.crmcom.sweepHours * 3600;
    await this.ingest(ctx, postedOnGte, true);
    await this.processor.processDue(ctx);
  }

  private async ingest(
    ctx: RunContext,
    from: number,
    reportLate: boolean,
    maxPages = Number.POSITIVE_INFINITY,
  ): Promise<{ complete: boolean; lastPostedOn: number | null }> {
    let pages = 0;
    let lastPostedOn: number | null = null;
    // Nothing before the feed's start (the first seed) is a movement: that history is in the opening balances.
    const feedStart = (await this.syncState.get('crmcom.journals'))?.startedAt;
    const postedOnGte = Math.max(from, feedStart ? Math.floor(feedStart.getTime() / 1000) : 0);
    for await (const page of this.crm.journalsPages({ postedOnGte })) {
      if (pages >= maxPages) return { complete: false, lastPostedOn };
      pages += 1;
      for (const invalid of page.invalid) {
        await this.parking.parkInvalid('crmcom', 'WALLET_JOURNAL', invalid);
        ctx.add('invalid');
      }
      const known = await this.events.knownOf('crmcom', page.items.map((journal) => journal.id));
      const fresh: Omit<NewInboundEvent, 'source'>[] = [];
      for (const journal of page.items) {
        lastPostedOn = Math.max(lastPostedOn ?? 0, journal.postedOn);
        if (known.has(journal.id)) continue;
        const link = await this.links.findLinkedForJournal(journal);
        fresh.push({
          externalId: journal.id,
          type: `WALLET_${journal.type}`,
          pepperUserId: link?.pepperUserId ?? null,
          payload: journal,
          occurredAt: new Date(journal.postedOn * 1000).toISOString(),
        });
      }
      const recorded = await this.events.recordNew('crmcom', fresh);
      for (const journal of page.items) {
        const isNew = recorded.has(journal.id);
        ctx.add(isNew ? 'journalsNew' : 'journalsDuplicate');
        if (isNew && reportLate) {
          logEvent(this.logger, 'late_arrival', { journalId: journal.id, postedOn: journal.postedOn, note: 'seen first by the sweep: CRMCOM_POLL_OVERLAP_SECONDS may be too short' }, 'warn');
        }
      }
    }
    return { complete: true, lastPostedOn };
  }
}
