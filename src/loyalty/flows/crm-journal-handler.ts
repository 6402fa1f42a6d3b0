import { ContactIndexStore } from '../../persistence/stores/contact-index.store';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { UserLocks } from '../../ledger/user-locks';
import type { CrmJournal } from '../../crmcom/crmcom.types';
import { classifyJournal } from '../rules/journal-rules';
import type { InboundEventEntity } from '../../persistence/entities';
import { ConflictReporter } from '../../ledger/conflict-reporter';
import { LinkStore } from '../../persistence/stores/link.store';
import { WriteLog } from '../../persistence/stores/write-log.store';
import type { EventHandler } from '../../core/handle-result';
import type { HandleResult } from '../../core/handle-result';
import { pointsForMoney } from '../rules/cumulative-conversion';
import { LoyaltyStatus } from './loyalty-status';
import { OPENING_BALANCE_EVENT, OpeningBalance } from './opening-balance';
import { PepperAwardWriter } from './pepper-award-writer';
import { DeferredError } from '../../common/deferred-error';
import { EventStore } from '../../persistence/stores/event.store';
import { formatKey, keyPrefix } from '../../ledger/keys';
import { storedCrmJournal } from '../../core/stored-payloads';
import { ShapeError } from '../../upstream/json-shape';

export const WALLET_JOURNAL_TYPES = ['WALLET_CREDIT', 'WALLET_DEBIT'] as const;

/**
 * CRM.COM → Pepper (README, "Wallet → Pepper"): every wallet credit and debit that is not the connector's own
 * mirror moves the user's wallet award by the same value in points — as a delta, so it commutes with a
 * redemption made in Pepper at the same moment. Also runs the opening-balance step queued when a user is linked.
 */
@Injectable()
export class CrmJournalHandler implements EventHandler {

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly loyalty: LoyaltyStatus,
    private readonly links: LinkStore,
    private readonly locks: UserLocks,
    private readonly writeLog: WriteLog,
    private readonly awardWriter: PepperAwardWriter,
    private readonly conflictReporter: ConflictReporter,
    private readonly opening: OpeningBalance,
    private readonly events: EventStore,
    private readonly contactIndex: ContactIndexStore,
  ) {}

  async handle(event: InboundEventEntity): Promise<HandleResult> {
    const gate = this.loyalty.gate();
    if (event.type === OPENING_BALANCE_EVENT) return this.opening.handle(event, gate.walletPerkId);
    if (!(WALLET_JOURNAL_TYPES as readonly string[]).includes(event.type)) return { state: 'SKIPPED', note: `no flow for ${event.type}` };
    let journal: CrmJournal;
    try {
      journal = storedCrmJournal(event);
    } catch (error) {
      if (error instanceof ShapeError) return { state: 'PARK', reason: error.message };
      throw error;
    }
    return this.journal(event, journal, gate.walletPerkId);
  }

  private async journal(event: InboundEventEntity, journal: CrmJournal, walletPerkId: string): Promise<HandleResult> {
    const classification = classifyJournal(journal, {
      applicationId: this.config.pepper.applicationId,
      currency: this.config.crmcom.currency,
      ownJournalIds: await this.writeLog.ownUpstreamIds([journal.id]),
    });
    if (classification.kind === 'SKIP') return { state: 'SKIPPED', note: classification.reason };
    if (classification.kind === 'PARK') return { state: 'PARK', reason: classification.reason };
    const link = (await this.links.findLinkedForJournal(journal)) ?? (await this.linkAfterForgettingListedBalance(journal));
    if (!link) {
      // A journal naming only a wallet nobody has shown us yet may belong to a contact the seed has just created, whose
      // wallet id comes with the index's next refresh (seconds): it waits for that rather than being skipped.
      if (!journal.contactId && journal.walletId && (await this.links.hasCreatedAwaitingWallet()) && !(await this.contactIndex.knowsWallet(journal.walletId))) {
        throw new DeferredError(`wallet ${journal.walletId} is not known yet: contacts the seed created are still waiting for their wallet ids`);
      }
      return { state: 'SKIPPED', note: 'the contact (or wallet) is not linked to a Pepper user' };
    }
    // What an existing contact's wallet held when its balance was read for the opening reaches Pepper through the
    // opening balance, not as a movement. posted_on has whole seconds, so the second of that read counts as before
    // it: counted twice would create money, while a movement missed in that one second is reported by
    // reconciliation. A wallet the connector created had no history to skip.
    if (link.matchedBy !== 'CREATED') {
      if (!link.openingAt) throw new DeferredError(`waiting for the opening balance of ${link.pepperUserId} (it will include this journal or precede it)`);
      const openingAt = link.walletOpeningAt ?? link.openingAt;
      if (journal.postedOn * 1000 <= openingAt.getTime()) {
        return { state: 'SKIPPED', note: 'posted before the opening balance was read (or in that second): part of the opening balance' };
      }
    }

    const moneyMinor = classification.kind === 'CREDIT' ? classification.amountMinor : -classification.amountMinor;
    const key = formatKey({ kind: 'journal', journalId: journal.id });
    return this.locks.forUser(link.pepperUserId, async () => {
      // The points are fixed before any call, once: a retry (even of a redeem cut short by the balance) sends the same.
      let points = event.movementPoints;
      if (points === null) {
        const before = await this.writeLog.movedTotal(link.pepperUserId, keyPrefix('journal'), key, 'amountMinor');
        points = pointsForMoney(before, moneyMinor, this.config.loyalty.pointsPerCurrencyUnit);
        await this.events.setMovementPoints(event, points);
      }
      const result = await this.awardWriter.apply({ key, pepperUserId: link.pepperUserId, perkId: walletPerkId, points, sourceMoneyMinor: moneyMinor });
      if (result.shortfall > 0) {
        await this.conflictReporter.report({
          kind: 'OVERDRAWN',
          pepperUserId: link.pepperUserId,
          candidateContactIds: [link.crmContactId as string],
          eventKey: key,
          details: { reason: 'a CRM.COM debit exceeded the Pepper points (spent in both places at once)', journalId: journal.id, requestedPoints: -points, redeemedPoints: -result.appliedPoints, shortfallPoints: result.shortfall },
        });
      }
      return { state: 'DONE', note: `${points > 0 ? 'granted' : 'redeemed'} ${Math.abs(result.appliedPoints)} points for journal ${journal.id}` };
    });
  }

  /**
   * A journal of a contact no one is linked to yet: the balance the seed's contact index listed for that contact no
   * longer stands for the journals taken in, so it is cleared first; then the link is looked for again. A user linked
   * meanwhile gets the journal as a movement (or inside its opening); one linked later reads its wallet instead.
   */
  private async linkAfterForgettingListedBalance(journal: CrmJournal) {
    await this.contactIndex.forgetWalletBalance({ contactId: journal.contactId, walletId: journal.walletId });
    return this.links.findLinkedForJournal(journal);
  }
}
