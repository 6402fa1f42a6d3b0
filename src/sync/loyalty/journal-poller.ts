import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { Clock } from '../../common/clock';
import { logEvent } from '../../common/structured-log';
import { CrmComClient } from '../../crmcom/crmcom.client';
import { EventStore } from '../../persistence/stores/event.store';
import { LinkStore } from '../../persistence/stores/link.store';
import { SyncStateStore } from '../../persistence/stores/sync-state.store';
import { EventParking } from '../event-parking';
import type { RunContext } from '../job-runner';
import { CrmEventProcessor } from './crm-event-processor';

const SETTLED_STATES = new Set(['DONE', 'SKIPPED', 'WAITING_LINK', 'FAILED']);

/**
 * Follows CRM.COM's wallet journals (design §5 "CRM.COM → Pepper"). posted_on has whole seconds and may be a
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
    const cursor = (await this.syncState.get('crmcom.journals'))?.cursor;
    if (!cursor) {
      ctx.add('noCursorYet');
      await this.processor.processDue(ctx);
      return;
    }
    const startedAt = this.clock.now();
    const ids = await this.ingest(ctx, Math.floor(Date.parse(cursor) / 1000) - this.config.crmcom.pollOverlapSeconds, false);
    await this.processor.processDue(ctx);
    if (ctx.stopping) return;
    const unsettled = (await this.events.findByExternalIds('crmcom', ids)).filter((e) => !SETTLED_STATES.has(e.state));
    if (unsettled.length > 0) {
      ctx.add('cursorHeld');
      logEvent(this.logger, 'cursor_held', { feed: 'crmcom.journals', cursor, unsettled: unsettled.length });
      return;
    }
    await this.syncState.update('crmcom.journals', { cursor: startedAt.toISOString(), lastError: null, failureCount: 0 });
    ctx.add('cursorAdvanced');
  }

  /** Re-reads the last CRMCOM_SWEEP_HOURS: journals posted with a business date in the past show up here. */
  async sweep(ctx: RunContext): Promise<void> {
    if (!(await this.syncState.get('crmcom.journals'))?.cursor) return;
    const postedOnGte = Math.floor(this.clock.nowMs() / 1000) - this.config.crmcom.sweepHours * 3600;
    await this.ingest(ctx, postedOnGte, true);
    await this.processor.processDue(ctx);
  }

  private async ingest(ctx: RunContext, from: number, reportLate: boolean): Promise<string[]> {
    const seen: string[] = [];
    // Nothing before the feed's start (the first seed) is a movement: that history is in the opening balances.
    const feedStart = (await this.syncState.get('crmcom.journals'))?.startedAt;
    const postedOnGte = Math.max(from, feedStart ? Math.floor(feedStart.getTime() / 1000) : 0);
    for await (const page of this.crm.journalsPages({ postedOnGte })) {
      for (const invalid of page.invalid) {
        await this.parking.parkInvalid('crmcom', 'WALLET_JOURNAL', invalid);
        ctx.add('invalid');
        if (invalid.externalId) seen.push(invalid.externalId);
      }
      for (const journal of page.items) {
        seen.push(journal.id);
        const link = await this.links.findLinkedByContact(journal.contactId);
        const isNew = await this.events.recordIfNew({
          source: 'crmcom',
          externalId: journal.id,
          type: `WALLET_${journal.type}`,
          pepperUserId: link?.pepperUserId ?? null,
          payload: journal,
          occurredAt: new Date(journal.postedOn * 1000).toISOString(),
        });
        ctx.add(isNew ? 'journalsNew' : 'journalsDuplicate');
        if (isNew && reportLate) {
          logEvent(this.logger, 'late_arrival', { journalId: journal.id, postedOn: journal.postedOn, note: 'seen first by the sweep: CRMCOM_POLL_OVERLAP_SECONDS may be too short' }, 'warn');
        }
      }
    }
    return seen;
  }
}
