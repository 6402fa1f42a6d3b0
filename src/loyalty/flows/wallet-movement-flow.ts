import { Inject, Injectable } from '@nestjs/common';
import { DeferredError } from '../../common/deferred-error';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import type { HandleResult } from '../../core/handle-result';
import { LinkedUser } from '../../customers/linked-user';
import { ConflictReporter } from '../../ledger/conflict-reporter';
import { formatKey, keyPrefix } from '../../ledger/keys';
import { UserLocks } from '../../ledger/user-locks';
import type { PepperAction } from '../../pepper/pepper.types';
import type { InboundEventEntity, UserLinkEntity } from '../../persistence/entities';
import { AwardMirrorStore } from '../../persistence/stores/award-mirror.store';
import { EventStore } from '../../persistence/stores/event.store';
import { WriteLog } from '../../persistence/stores/write-log.store';
import { AwardMovement, readAwardMovement } from '../rules/action-movement';
import { moneyForPoints } from '../rules/cumulative-conversion';
import { CrmJournalWriter } from './crm-journal-writer';
import { EchoClaims } from './echo-claims';
import { OPENING_BALANCE_EVENT } from './opening-balance';

/**
 * Movements made in Pepper on the wallet perk → CRM.COM wallet journals (README "Pepper → wallet"). Echoes of the
 * connector's own writes are skipped; movements inside the opening balance are skipped; the rest become one journal
 * each, converted cumulatively per user.
 */
@Injectable()
export class WalletMovementFlow {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly linkedUser: LinkedUser,
    private readonly locks: UserLocks,
    private readonly writeLog: WriteLog,
    private readonly journals: CrmJournalWriter,
    private readonly awards: AwardMirrorStore,
    private readonly conflictReporter: ConflictReporter,
    private readonly events: EventStore,
    private readonly echoes: EchoClaims,
  ) {}

  async handle(event: InboundEventEntity, action: PepperAction, walletPerkId: string): Promise<HandleResult> {
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
      const echo = await this.echoes.claim(action, movement);
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

      const givenUp = await this.echoes.claimGivenUp(action, movement);
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
    const before = await this.writeLog.movedTotal(link.pepperUserId, keyPrefix('action', this.config.pepper.applicationId), key, 'points');
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

  private async observe(pepperUserId: string, movement: AwardMovement, timestamp: string): Promise<void> {
    await this.awards.observe({ awardId: movement.awardId, pepperUserId, perkId: movement.perkId, pointsAvailable: movement.pointsAvailable, asOf: timestamp });
  }
}
