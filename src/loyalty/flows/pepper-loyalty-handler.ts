import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { UserLocks } from '../../ledger/user-locks';
import { CrmComClient } from '../../crmcom/crmcom.client';
import { EchoCandidate, findEcho, MovementAction } from '../rules/echo-matcher';
import { mapOrderToPurchase } from '../rules/order-mapper';
import { WriteProtocol } from '../../ledger/write-protocol';
import type { PepperAction } from '../../pepper/pepper.types';
import type { InboundEventEntity, OutboundWriteEntity, UserLinkEntity } from '../../persistence/entities';
import { AwardMirrorStore } from '../../persistence/stores/award-mirror.store';
import { ConflictReporter } from '../../ledger/conflict-reporter';
import { WriteLog } from '../../persistence/stores/write-log.store';
import type { HandleResult } from '../../sync/pepper-event-handler';
import { AwardMovement, MOVEMENT_TYPES, readAwardMovement } from '../rules/action-movement';
import { CrmJournalWriter } from './crm-journal-writer';
import { moneyForPoints } from '../rules/cumulative-conversion';
import { LinkedUser, UserGoneError } from '../../customers/linked-user';
import { DeferredError } from '../../common/deferred-error';
import { OPENING_BALANCE_EVENT } from './opening-balance';
import { EventStore } from '../../persistence/stores/event.store';
import { LoyaltyStatus } from './loyalty-status';
import { formatKey, keyPrefix } from '../../ledger/keys';
import { storedPepperAction } from '../../core/stored-payloads';
import { ShapeError } from '../../upstream/json-shape';

export const LOYALTY_ACTION_TYPES = ['ORDER_COMPLETED', 'ORDER_PAYMENT_REFUNDED', ...MOVEMENT_TYPES] as const;

/**
 * Pepper → CRM.COM loyalty (design §5): orders become purchases; movements on the wallet perk made in Pepper
 * become wallet journals; the connector's own grants and redemptions coming back are recognised as echoes.
 */
@Injectable()
export class PepperLoyaltyHandler {

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly loyalty: LoyaltyStatus,
    private readonly linkedUser: LinkedUser,
    private readonly locks: UserLocks,
    private readonly writes: WriteProtocol,
    private readonly writeLog: WriteLog,
    private readonly journals: CrmJournalWriter,
    private readonly awards: AwardMirrorStore,
    private readonly conflictReporter: ConflictReporter,
    private readonly crm: CrmComClient,
    private readonly events: EventStore,
  ) {}

  handles(type: string): boolean {
    return (LOYALTY_ACTION_TYPES as readonly string[]).includes(type);
  }

  async handle(event: InboundEventEntity): Promise<HandleResult> {
    try {
      return await this.dispatch(event);
    } catch (error) {
      if (error instanceof UserGoneError) return { state: 'PARK', reason: error.message };
      if (error instanceof ShapeError) return { state: 'PARK', reason: `stored action unreadable: ${error.message}` };
      throw error;
    }
  }

  private async dispatch(event: InboundEventEntity): Promise<HandleResult> {
    const gate = this.loyalty.gate();
    if (!event.pepperUserId) return { state: 'PARK', reason: 'the action names no user (context.user._id is missing)' };
    const action = storedPepperAction(event);
    switch (action.type) {
      case 'ORDER_COMPLETED':
        return this.order(action);
      case 'ORDER_PAYMENT_REFUNDED':
        return this.refund(action);
      default:
        return this.movement(event, action, gate.walletPerkId);
    }
  }

  private async order(action: PepperAction): Promise<HandleResult> {
    const link = await this.linkedUser.resolve(action.userId as string, { allowDeleted: true });
    if (!link) return { state: 'WAITING_LINK', note: 'the user is not linked to a contact yet' };
    const mapped = mapOrderToPurchase(action, {
      applicationId: this.config.pepper.applicationId,
      currency: this.config.crmcom.currency,
      contactId: link.crmContactId as string,
      locationOrganisations: this.config.loyalty.locationOrganisations,
    });
    if (!mapped.ok) return { state: 'PARK', reason: `unreadable order: ${mapped.reason}` };
    const purchase = mapped.purchase;
    const purchaseId = await this.locks.forUser(link.pepperUserId, () =>
      this.writes.write({
        idempotencyKey: purchase.referenceNumber,
        target: 'crmcom',
        kind: 'PURCHASE',
        pepperUserId: link.pepperUserId,
        amountMinor: purchase.totalMinor,
        request: { referenceNumber: purchase.referenceNumber, contactId: purchase.contactId, totalMinor: purchase.totalMinor },
        send: () => this.crm.createPurchase(purchase),
        readBack: async () => (await this.crm.findPurchasesByReference(purchase.referenceNumber))[0]?.id ?? null,
      }),
    );
    return { state: 'DONE', note: `purchase ${purchaseId}` };
  }

  private async refund(action: PepperAction): Promise<HandleResult> {
    const orderId = action.metadata.orderId;
    if ((typeof orderId !== 'string' || !orderId) && typeof orderId !== 'number') {
      return { state: 'PARK', reason: 'ORDER_PAYMENT_REFUNDED without metadata.orderId' };
    }
    const reference = formatKey({ kind: 'order', applicationId: this.config.pepper.applicationId, orderId: String(orderId) });
    const purchase = (await this.writeLog.attemptsFor(reference)).find((a) => a.state === 'DONE');
    const conflict = await this.conflictReporter.report({
      kind: 'ORDER_REFUNDED',
      pepperUserId: action.userId as string,
      candidateContactIds: [],
      eventKey: action.id,
      details: {
        reason: 'the order was refunded in Pepper; reverse its purchase in CRM.COM (cancelling a purchase through the API is not confirmed)',
        orderId: String(orderId),
        purchaseReference: reference,
        purchaseId: purchase?.upstreamId ?? null,
      },
    });
    return { state: 'DONE', note: `ORDER_REFUNDED conflict ${conflict.id}` };
  }

  private async movement(event: InboundEventEntity, action: PepperAction, walletPerkId: string): Promise<HandleResult> {
    const read = readAwardMovement(action);
    if (!read.ok) return { state: 'PARK', reason: `unreadable ${action.type}: ${read.reason}` };
    const movement = read.movement;
    const pepperUserId = action.userId as string;
    if (movement.perkId !== walletPerkId) {
      await this.observe(pepperUserId, movement, action.timestamp);
      return { state: 'SKIPPED', note: 'not the wallet perk: mirrored locally only' };
    }
    const link = await this.linkedUser.resolve(pepperUserId);
    return this.locks.forUser(pepperUserId, async () => {
      const echo = await this.claimEcho(action, movement);
      if (echo) {
        await this.observe(pepperUserId, movement, action.timestamp);
        return { state: 'SKIPPED', note: `echo of the connector's own write #${echo}` };
      }
      // The points this movement stands for are fixed once, before the mirror moves and before any call: a reset's
      // difference could not be computed again once the mirror holds the new balance.
      if (event.movementPoints === null) {
        const points = await this.pointsOf(movement);
        if (points === null) return { state: 'PARK', reason: 'AWARD_POINTS_RESET on an award whose previous balance is unknown' };
        await this.events.setMovementPoints(event, points);
      }
      await this.observe(pepperUserId, movement, action.timestamp);
      const points = event.movementPoints as number;

      const givenUp = await this.givenUpAttemptMatching(action, movement);
      if (givenUp) return this.unmatchedEcho(action, movement, givenUp);
      if (!link) return { state: 'WAITING_LINK', note: 'the user is not linked to a contact yet' };
      // Movements up to the moment the opening balances were read are inside them.
      if (!link.openingAt) throw new DeferredError(`waiting for the opening balance of ${pepperUserId} (it will include this movement or precede it)`);
      if (Date.parse(action.timestamp) <= link.openingAt.getTime()) {
        return { state: 'SKIPPED', note: `at or before the opening balance (${link.openingAt.toISOString()}): inside it, not a movement` };
      }
      if (movement.type === 'REWARD_EARNED' && this.config.loyalty.pepperWalletEarning === 'conflict') return this.unexpectedEarning(action, movement);
      return this.journal(action, link, points);
    });
  }

  /** Signed points of a wallet movement; null for a reset whose previous balance is unknown. */
  private async pointsOf(movement: AwardMovement): Promise<number | null> {
    switch (movement.type) {
      case 'REDEEM_PERK':
        return -movement.points;
      case 'AWARD_POINTS_REFUNDED':
      case 'REWARD_EARNED':
        return movement.points;
      case 'AWARD_POINTS_RESET': {
        const previous = (await this.awards.get(movement.awardId))?.pointsAvailable ?? null;
        return previous === null ? null : movement.pointsAvailable - previous;
      }
    }
  }

  private async journal(action: PepperAction, link: UserLinkEntity, points: number): Promise<HandleResult> {
    // A debit must not reach a new wallet before the opening credit that backs it.
    if (await this.events.hasPendingOfType(link.pepperUserId, OPENING_BALANCE_EVENT)) {
      throw new DeferredError(`waiting for the opening balance of ${link.pepperUserId}`);
    }
    const key = formatKey({ kind: 'action', applicationId: this.config.pepper.applicationId, actionId: action.id });
    const prefix = keyPrefix('action', this.config.pepper.applicationId);
    const before = await this.writeLog.movedTotal(link.pepperUserId, prefix, key, 'points');
    const amountMinor = moneyForPoints(before, points, this.config.loyalty.pointsPerCurrencyUnit);
    if (amountMinor === 0) {
      // Below one money unit: nothing to send, but the points count toward the next movement's conversion.
      const attempt = await this.writeLog.begin({ idempotencyKey: key, target: 'crmcom', kind: 'JOURNAL', pepperUserId: link.pepperUserId, points, amountMinor: 0, request: { note: 'below one money unit' } });
      await this.writeLog.done(attempt, null);
      return { state: 'DONE', note: `${points} points are worth less than one money unit; carried to the next movement` };
    }
    const result = await this.journals.post({
      key,
      pepperUserId: link.pepperUserId,
      contactId: link.crmContactId as string,
      walletId: link.crmWalletId,
      amountMinor,
      sourcePoints: points,
      currency: this.config.crmcom.currency,
      notes: `Pepper ${action.type} ${action.id}`,
    });
    if (result.shortfallMinor > 0) {
      await this.conflictReporter.report({
        kind: 'OVERDRAWN',
        pepperUserId: link.pepperUserId,
        candidateContactIds: [link.crmContactId as string],
        eventKey: action.id,
        details: { reason: 'a Pepper redemption exceeded the CRM.COM wallet (spent in both places at once)', actionId: action.id, requestedMinor: -amountMinor, debitedMinor: -result.appliedMinor, shortfallMinor: result.shortfallMinor },
      });
    }
    return { state: 'DONE', note: `journal ${result.journalId ?? '(none)'} ${amountMinor > 0 ? 'CREDIT' : 'DEBIT'} ${Math.abs(result.appliedMinor)}` };
  }

  /**
   * An echo that matches an attempt given up (the feed had passed it without an echo, and the movement was sent
   * again): both reached Pepper. It is never credited as an earning; an operator reviews the doubled points.
   */
  private async givenUpAttemptMatching(action: PepperAction, movement: AwardMovement): Promise<number | null> {
    if (movement.type !== 'REWARD_EARNED' && movement.type !== 'REDEEM_PERK') return null;
    const kind: 'GRANT' | 'REDEEM' = movement.type === 'REWARD_EARNED' ? 'GRANT' : 'REDEEM';
    const attempts = await this.writeLog.givenUpAttempts(action.userId as string, kind);
    const match = findEcho(this.movementAction(action, movement), attempts.map((a) => ({ ...this.candidateOf(a, kind), state: 'UNKNOWN' as const })));
    if (!match || !(await this.writeLog.claimEcho(match.attemptId, action.id))) return null;
    return match.attemptId;
  }

  private async unmatchedEcho(action: PepperAction, movement: AwardMovement, attemptId: number): Promise<HandleResult> {
    const conflict = await this.conflictReporter.report({
      kind: 'UNMATCHED_ECHO',
      pepperUserId: action.userId as string,
      candidateContactIds: [],
      eventKey: action.id,
      details: {
        reason: `the echo of a write the connector had given up (#${attemptId}) came after all: the movement reached Pepper twice; review the ${movement.points} points in Pepper`,
        actionId: action.id,
        attemptId,
        points: movement.points,
      },
    });
    return { state: 'DONE', note: `UNMATCHED_ECHO conflict ${conflict.id}` };
  }

  private async unexpectedEarning(action: PepperAction, movement: AwardMovement): Promise<HandleResult> {
    const conflict = await this.conflictReporter.report({
      kind: 'UNEXPECTED_PEPPER_EARNING',
      pepperUserId: action.userId as string,
      candidateContactIds: [],
      eventKey: action.id,
      details: { reason: 'points were earned in Pepper on the wallet perk (PEPPER_WALLET_EARNING=conflict)', actionId: action.id, points: movement.points },
    });
    return { state: 'DONE', note: `UNEXPECTED_PEPPER_EARNING conflict ${conflict.id}` };
  }

  /** Claims the oldest matching grant/redeem attempt of the connector's own; returns its id when this is an echo. */
  private async claimEcho(action: PepperAction, movement: AwardMovement): Promise<number | null> {
    if (movement.type !== 'REWARD_EARNED' && movement.type !== 'REDEEM_PERK') return null;
    const already = await this.writeLog.findMatchedBy(action.id);
    if (already) return already.id;
    const kind: 'GRANT' | 'REDEEM' = movement.type === 'REWARD_EARNED' ? 'GRANT' : 'REDEEM';
    const attempts = await this.writeLog.echoCandidates(action.userId as string, kind);
    const match = findEcho(this.movementAction(action, movement), attempts.map((a) => this.candidateOf(a, kind)));
    if (!match || !(await this.writeLog.claimEcho(match.attemptId, action.id))) return null;
    const attempt = attempts.find((a) => a.id === match.attemptId);
    if (attempt && attempt.state !== 'DONE') await this.writeLog.done(attempt, movement.awardId, { settledBy: `echo ${action.id}` });
    return match.attemptId;
  }

  private movementAction(action: PepperAction, movement: AwardMovement): MovementAction {
    return {
      actionId: action.id,
      type: movement.type as MovementAction['type'],
      pepperUserId: action.userId as string,
      perkId: movement.perkId,
      awardId: movement.awardId,
      points: movement.points,
      pointsAvailable: movement.pointsAvailable,
      timestamp: new Date(action.timestamp),
    };
  }

  private candidateOf(a: OutboundWriteEntity, kind: 'GRANT' | 'REDEEM'): EchoCandidate {
    return {
      attemptId: a.id,
      kind,
      pepperUserId: a.pepperUserId as string,
      perkId: a.perkId as string,
      awardId: a.awardId,
      points: Math.abs(a.points ?? 0),
      state: a.state,
      sentAt: a.sentAt,
      balanceAfter: a.balanceAfter,
      matchedActionId: a.matchedActionId,
    };
  }

  private async observe(pepperUserId: string, movement: AwardMovement, timestamp: string): Promise<number | null> {
    const { previous } = await this.awards.observe({ awardId: movement.awardId, pepperUserId, perkId: movement.perkId, pointsAvailable: movement.pointsAvailable, asOf: timestamp });
    return previous;
  }
}
