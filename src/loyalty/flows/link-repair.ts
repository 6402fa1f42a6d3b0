import { Injectable, Logger } from '@nestjs/common';
import { UserLocks } from '../../ledger/user-locks';
import { logEvent } from '../../common/structured-log';
import { EventStore } from '../../persistence/stores/event.store';
import { LinkStore } from '../../persistence/stores/link.store';
import type { RunContext } from '../../core/job-runner';
import { LOYALTY_ACTION_TYPES } from './pepper-loyalty-handler';
import { WALLET_JOURNAL_TYPES } from './crm-journal-handler';
import { LoyaltyStatus } from './loyalty-status';
import { OPENING_BALANCE_EVENT, OpeningBalance } from './opening-balance';

const PAGE = 200;

/**
 * The steps that follow a link (requeue the user's waiting events, queue the opening balance) are separate commits:
 * a crash between them, or a link made while loyalty was off, would leave them undone for good. This pass finds
 * what is missing from the database's state and does it; run at start-up, hourly, and when loyalty turns ACTIVE.
 */
@Injectable()
export class LinkRepair {
  private readonly logger = new Logger('LinkRepair');

  constructor(
    private readonly links: LinkStore,
    private readonly events: EventStore,
    private readonly locks: UserLocks,
    private readonly loyalty: LoyaltyStatus,
    private readonly opening: OpeningBalance,
  ) {}

  async run(ctx: RunContext | null = null): Promise<{ requeued: number; openingsQueued: number; woken: number }> {
    let requeued = 0;
    for (const pepperUserId of await this.events.waitingLinkOfLinkedUsers(10_000)) {
      requeued += await this.events.requeueWaitingFor(pepperUserId);
    }
    let openingsQueued = 0;
    let woken = 0;
    if (this.loyalty.walletPerkId()) {
      // Loyalty events that waited while loyalty was off (or not yet decided) flow now, by themselves.
      woken = await this.events.wakeWaiting([...LOYALTY_ACTION_TYPES, ...WALLET_JOURNAL_TYPES, OPENING_BALANCE_EVENT]);
      for (let after = 0; ; ) {
        const page = await this.links.linkedWithoutOpening(after, PAGE);
        if (page.length === 0 || ctx?.stopping) break;
        after = page[page.length - 1].id;
        for (const link of page) {
          await this.locks.forUser(link.pepperUserId, async () => {
            const current = await this.links.findByUser(link.pepperUserId);
            if (current?.status !== 'LINKED' || !current.crmContactId || current.openingAt) return;
            await this.opening.enqueue({
              pepperUserId: current.pepperUserId,
              crmContactId: current.crmContactId,
              crmWalletId: current.crmWalletId,
              created: current.matchedBy === 'CREATED',
            });
            openingsQueued += 1;
          });
        }
      }
    }
    ctx?.add('repair.requeuedWaitingLink', requeued);
    ctx?.add('repair.openingsQueued', openingsQueued);
    ctx?.add('repair.loyaltyEventsWoken', woken);
    if (requeued + openingsQueued > 0) logEvent(this.logger, 'link_repair', { requeued, openingsQueued, woken }, 'warn');
    return { requeued, openingsQueued, woken };
  }
}
