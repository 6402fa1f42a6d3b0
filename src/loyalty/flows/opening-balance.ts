import { Inject, Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { Clock } from '../../common/clock';
import { UserLocks } from '../../ledger/user-locks';
import { CrmComClient } from '../../crmcom/crmcom.client';
import { pointsToMinor, walletToPoints } from '../rules/points-conversion';
import { LinkedEvent, USER_LINKED, USERS_SEED_STARTED, UsersSeedStartedEvent } from '../../customers/user-sync.types';
import { PepperClient } from '../../pepper/pepper.client';
import { AwardMirrorStore, AwardObservation } from '../../persistence/stores/award-mirror.store';
import { SyncStateStore } from '../../persistence/stores/sync-state.store';
import { ContactIndexStore } from '../../persistence/stores/contact-index.store';
import type { InboundEventEntity } from '../../persistence/entities';
import { ConflictReporter } from '../../ledger/conflict-reporter';
import { EventStore } from '../../persistence/stores/event.store';
import { LinkStore } from '../../persistence/stores/link.store';
import type { HandleResult } from '../../core/handle-result';
import { CrmJournalWriter } from './crm-journal-writer';
import { LoyaltyStatus } from './loyalty-status';
import { PepperAwardWriter } from './pepper-award-writer';
import { formatKey, openingEventId } from '../../ledger/keys';
import { OpeningPayload, storedOpening } from '../../core/stored-payloads';
import { ShapeError } from '../../upstream/json-shape';

export const OPENING_BALANCE_EVENT = 'OPENING_BALANCE';
const NOTHING_TO_CARRY = 'no Pepper points to carry over';


/**
 * The balance at the moment a user is linked (README, "Opening balances"). Linked to an existing contact:
 * CRM.COM owns the money, so the Pepper award is brought to the wallet (as a delta), and a different non-zero
 * Pepper balance is reported. A contact the connector created instead receives the user's Pepper points as one
 * credit, so go-live never wipes what customers earned before it. Queued as its own event so that waiting on
 * Pepper never holds up the user feed.
 */
@Injectable()
export class OpeningBalance {
  private readonly logger = new Logger('OpeningBalance');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly events: EventStore,
    private readonly loyalty: LoyaltyStatus,
    private readonly links: LinkStore,
    private readonly locks: UserLocks,
    private readonly crm: CrmComClient,
    private readonly awardWriter: PepperAwardWriter,
    private readonly journals: CrmJournalWriter,
    private readonly conflictReporter: ConflictReporter,
    private readonly clock: Clock,
    private readonly pepper: PepperClient,
    private readonly awards: AwardMirrorStore,
    private readonly syncState: SyncStateStore,
    private readonly contactIndex: ContactIndexStore,
  ) {}

  /**
   * At the start of a users seed (after its feeds' cursors are set), the wallet perk's awards are downloaded in bulk
   * (paged GET /awards) into the award mirror, each as of its own `updatedAt`. During that seed a user the connector
   * creates a contact for takes its Pepper opening balance from the mirror instead of one GET /users/:id/pointawards:
   * the mirror row is the balance as of its `asOf` (the award's last change when read, or a later action the feed
   * observed), and every movement after the download started is on the actions feed (its cursor is at or before the
   * seed's start), so the opening point is max(asOf, download start): movements at or before it are inside the
   * balance, later ones flow as movements. Anything that makes that unprovable (an award without `updatedAt`, an invalid
   * item, a failed download) leaves the snapshot unusable and the openings read Pepper as before.
   */
  @OnEvent(USERS_SEED_STARTED)
  async snapshotAwards(seed: UsersSeedStartedEvent): Promise<void> {
    const walletPerkId = this.loyalty.walletPerkId();
    if (!walletPerkId) return;
    const downloadStart = this.clock.now();
    await this.syncState.update('pepper.awards-snapshot', { stage: 'RUNNING', cursor: null, startedAt: downloadStart, lastError: null });
    try {
      let exact = true;
      for await (const page of this.pepper.awardsPages({})) {
        if (page.invalid.length > 0) exact = false;
        const observed: AwardObservation[] = [];
        for (const award of page.items) {
          if (award.perkId !== walletPerkId) continue;
          if (!award.updatedAt) {
            exact = false;
            continue;
          }
          const { id: awardId, userId: pepperUserId, perkId, pointsAvailable } = award;
          observed.push({ awardId, pepperUserId, perkId, pointsAvailable, asOf: award.updatedAt });
        }
        await this.awards.observeMany(observed);
      }
      await this.syncState.update('pepper.awards-snapshot', {
        stage: exact ? 'DONE' : 'UNUSABLE',
        cursor: downloadStart.toISOString(),
        lastError: exact ? null : 'an award without updatedAt (or an invalid one): openings read Pepper per user',
      });
      this.logger.log(`award snapshot for the users seed of ${seed.startedAt}: ${exact ? 'usable' : 'not usable'} for opening balances`);
    } catch (error) {
      await this.syncState.update('pepper.awards-snapshot', { stage: 'FAILED', lastError: (error as Error).message });
      this.logger.warn(`award snapshot failed (${(error as Error).message}); opening balances read Pepper per user`);
    }
  }

  /**
   * The Pepper balance of a user whose contact the connector just created, from the seed's award snapshot, and its
   * opening point; null when the snapshot cannot stand in for a read (then the caller reads Pepper).
   */
  private async fromSnapshot(pepperUserId: string, walletPerkId: string): Promise<{ points: number; openingAt: Date } | null> {
    const states = await this.syncState.getMany(['pepper.awards-snapshot', 'pepper.users-seed']);
    const [snapshot, seed] = [states.get('pepper.awards-snapshot'), states.get('pepper.users-seed')];
    if (snapshot?.stage !== 'DONE' || !snapshot.cursor || seed?.stage !== 'RUNNING' || !seed.startedAt) return null;
    const downloadStart = new Date(snapshot.cursor);
    // Taken after this seed started (so the actions feed covers everything after it) ...
    if (downloadStart.getTime() < new Date(seed.startedAt).getTime()) return null;
    // ... and young enough that a movement waiting for this user's link has not been parked meanwhile.
    if (this.clock.nowMs() - downloadStart.getTime() > (this.config.maxWaitHours * 3_600_000) / 2) return null;
    const row = await this.awards.findFor(pepperUserId, walletPerkId);
    const asOf = row ? new Date(row.asOf) : null;
    return { points: row?.pointsAvailable ?? 0, openingAt: asOf && asOf > downloadStart ? asOf : downloadStart };
  }

  /**
   * Both balances are read now, at the moment of linking (call under the user's lock): movements after it reach the
   * other side as movements, and the opening step only applies what stood before. Applied later as a delta, it
   * commutes with them. The moment of the read is the user's opening point; a wallet balance the seed's contact index
   * listed stands for an earlier moment, the wallet's own opening point (`walletAtLink`). While loyalty is off nothing
   * is read; the link repair queues the opening once it is ACTIVE.
   */
  @OnEvent(USER_LINKED)
  async enqueue(linked: LinkedEvent): Promise<void> {
    const walletPerkId = this.loyalty.walletPerkId();
    if (!walletPerkId) return;
    let pepperPointsAtLink: number | null = null;
    let wallet: { minor: number; readAt: Date | null } | null = null;
    // A contact we created has no CRM.COM history before the snapshot's opening point: only the Pepper side is read.
    const snapshot = linked.created ? await this.fromSnapshot(linked.pepperUserId, walletPerkId) : null;
    try {
      pepperPointsAtLink = snapshot ? snapshot.points : ((await this.awardWriter.currentAward(linked.pepperUserId, walletPerkId))?.pointsAvailable ?? 0);
      wallet = await this.walletAtLink(linked);
    } catch (error) {
      pepperPointsAtLink = null;
      wallet = null;
      this.logger.warn(`balances at linking of ${linked.pepperUserId} not readable (${(error as Error).message}); the opening step reads them when it runs`);
    }
    const payload: OpeningPayload = {
      contactId: linked.crmContactId,
      walletId: linked.crmWalletId,
      created: linked.created,
      pepperPointsAtLink,
      walletMinorAtLink: wallet?.minor ?? null,
    };
    const openingAt = snapshot?.openingAt ?? this.clock.now();
    // A contact the connector created, and no Pepper points at linking: nothing to carry (what `handle` would find), so
    // the event is recorded settled and the queue never works it. Still recorded: it is what keeps the opening once per contact.
    const nothingToCarry = linked.created && pepperPointsAtLink === 0;
    const queued = await this.events.recordIfNew({
      source: 'crmcom',
      externalId: openingEventId(linked.pepperUserId, linked.crmContactId),
      type: OPENING_BALANCE_EVENT,
      pepperUserId: linked.pepperUserId,
      payload,
      occurredAt: openingAt.toISOString(),
      ...(nothingToCarry ? { state: 'DONE' as const, lastError: NOTHING_TO_CARRY } : {}),
    });
    // Already queued for this contact once (a relink to it): its opening point is now, never left open.
    // The wallet's own opening point, when its balance was listed before now; a relink's is now, like the user's.
    const walletOpeningAt = queued && wallet?.readAt ? wallet.readAt : openingAt;
    await this.links.setOpeningAt(linked.pepperUserId, openingAt, walletOpeningAt);
    if (!queued) this.logger.warn(`the opening balance of ${linked.pepperUserId} with contact ${linked.crmContactId} was queued before; not again`);
  }

  /**
   * An existing contact's wallet balance at linking: null for a contact we created (no history) or one without a
   * wallet. A contact matched in the seed's contact index brings the balance its list page showed, without a wallet
   * read, as of that page's read (`readAt`), provided the journal feed had started by then (every later journal is
   * on it) and no journal of the contact has come in since: the journal handler clears a listed balance before it
   * skips a journal as no one's, and this runs after the link is written, so a journal the listed balance lacks is
   * either applied after the link or has cleared it. Otherwise the wallet is read now (`readAt` null: the opening point).
   */
  private async walletAtLink(linked: LinkedEvent): Promise<{ minor: number; readAt: Date | null } | null> {
    if (linked.created || !linked.crmWalletId) return null;
    if (linked.matchedInIndex) {
      const listed = await this.contactIndex.listedWalletBalance(linked.crmContactId);
      const feedStart = listed?.walletId === linked.crmWalletId ? (await this.syncState.get('crmcom.journals'))?.startedAt : null;
      if (listed && feedStart && listed.readAt.getTime() >= new Date(feedStart).getTime()) return { minor: listed.balanceMinor, readAt: listed.readAt };
    }
    return { minor: (await this.crm.getWallet(linked.crmWalletId)).balanceMinor, readAt: null };
  }

  async handle(event: InboundEventEntity, walletPerkId: string): Promise<HandleResult> {
    const pepperUserId = event.pepperUserId as string;
    let payload: OpeningPayload;
    try {
      payload = storedOpening(event);
    } catch (error) {
      if (error instanceof ShapeError) return { state: 'PARK', reason: error.message };
      throw error;
    }
    return this.locks.forUser(pepperUserId, async () => {
      const link = await this.links.findByUser(pepperUserId);
      if (link?.status !== 'LINKED' || link.crmContactId !== payload.contactId) return { state: 'SKIPPED', note: 'the user is no longer linked to that contact' };
      let pepperPoints = payload.pepperPointsAtLink;
      if (pepperPoints === null) {
        // Not read at linking: read now, and this is the opening point (movements up to it waited for this step).
        pepperPoints = (await this.awardWriter.currentAward(pepperUserId, walletPerkId))?.pointsAvailable ?? 0;
        payload.pepperPointsAtLink = pepperPoints;
        await this.links.setOpeningAt(pepperUserId, this.clock.now());
      }
      const rate = this.config.loyalty.pointsPerCurrencyUnit;
      const appId = this.config.pepper.applicationId;

      if (payload.created) {
        if (pepperPoints <= 0) return { state: 'DONE', note: NOTHING_TO_CARRY };
        const amountMinor = pointsToMinor(pepperPoints, rate);
        const result = await this.journals.post({
          key: formatKey({ kind: 'opening', applicationId: appId, pepperUserId }),
          pepperUserId,
          contactId: payload.contactId,
          walletId: link.crmWalletId,
          amountMinor,
          sourcePoints: null,
          currency: this.config.crmcom.currency,
          notes: `Opening balance: ${pepperPoints} Pepper points carried over at go-live`,
        });
        return { state: 'DONE', note: `carried ${pepperPoints} points into the new wallet (journal ${result.journalId})` };
      }

      if (!link.crmWalletId) return { state: 'DONE', note: 'the contact has no wallet' };
      const walletMinor = payload.walletMinorAtLink ?? (await this.crm.getWallet(link.crmWalletId)).balanceMinor;
      const walletPoints = walletToPoints(walletMinor, rate);
      if (walletPoints === pepperPoints) return { state: 'DONE', note: 'balances already agree' };
      await this.awardWriter.apply({
        key: formatKey({ kind: 'opening-sync', applicationId: appId, pepperUserId, contactId: payload.contactId }),
        pepperUserId,
        perkId: walletPerkId,
        points: walletPoints - pepperPoints,
        sourceMoneyMinor: null,
      });
      if (pepperPoints !== 0) {
        await this.conflictReporter.report({
          kind: 'OPENING_BALANCE_REPLACED',
          pepperUserId,
          candidateContactIds: [payload.contactId],
          details: { reason: 'the Pepper balance was replaced by the CRM.COM wallet at linking', pepperPoints, walletPoints, walletMinor },
        });
      }
      return { state: 'DONE', note: `Pepper award brought from ${pepperPoints} to ${walletPoints} points` };
    });
  }
}
