import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { Clock } from '../../common/clock';
import { PepperClient } from '../../pepper/pepper.client';
import type { PepperAward } from '../../pepper/pepper.types';
import type { OutboundWriteEntity } from '../../persistence/entities';
import { AwardMirrorStore } from '../../persistence/stores/award-mirror.store';
import { SyncStateStore } from '../../persistence/stores/sync-state.store';
import { EventStore } from '../../persistence/stores/event.store';
import { SyncMode } from '../../ledger/sync-mode';
import { WriteLog } from '../../persistence/stores/write-log.store';
import { UpstreamError } from '../../upstream/upstream-error';
import { DeferredError } from '../../common/deferred-error';

export interface PepperDelta {
  /** idempotency key shared by every attempt of this movement */
  key: string;
  pepperUserId: string;
  perkId: string;
  /** signed: > 0 grants, < 0 redeems */
  points: number;
  /** the money this movement stands for (signed minor units), kept for the running totals; null for corrections */
  sourceMoneyMinor: number | null;
}

export interface PepperDeltaResult {
  appliedPoints: number;
  /** points a redeem could not take because the award held fewer */
  shortfall: number;
  awardId: string | null;
}

/**
 * Grants and redeems on the wallet award, with the write protocol Pepper allows: Pepper takes no request id for
 * these, so an attempt whose answer was lost is settled by the actions feed — its echo proves it happened; no
 * echo once the feed has moved past the attempt (plus lag and overlap) proves it did not. Until then the movement
 * waits; it is never sent twice on a guess. Call under the user's lock.
 */
@Injectable()
export class PepperAwardWriter {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly pepper: PepperClient,
    private readonly writeLog: WriteLog,
    private readonly awards: AwardMirrorStore,
    private readonly syncState: SyncStateStore,
    private readonly events: EventStore,
    private readonly mode: SyncMode,
    private readonly clock: Clock,
  ) {}

  async apply(delta: PepperDelta): Promise<PepperDeltaResult> {
    if (this.mode.isShadow()) return this.shadow(delta);
    const settled = await this.settlePrior(delta.key);
    if (settled) return { appliedPoints: settled.points ?? 0, shortfall: 0, awardId: settled.awardId };
    if (delta.points === 0) return { appliedPoints: 0, shortfall: 0, awardId: null };
    return delta.points > 0 ? this.grant(delta) : this.redeem(delta);
  }

  /** Rehearsal: the grant or redeem is recorded (once per key) with what it would move, and nothing is sent. */
  private async shadow(delta: PepperDelta): Promise<PepperDeltaResult> {
    if (delta.points !== 0 && !(await this.writeLog.hasShadow(delta.key))) {
      await this.writeLog.recordShadow({
        idempotencyKey: delta.key,
        target: 'pepper',
        kind: delta.points > 0 ? 'GRANT' : 'REDEEM',
        pepperUserId: delta.pepperUserId,
        perkId: delta.perkId,
        points: delta.points,
        amountMinor: delta.sourceMoneyMinor,
        request: { perkId: delta.perkId, points: delta.points },
      });
    }
    return { appliedPoints: delta.points, shortfall: 0, awardId: null };
  }

  /** The award of the wallet perk as Pepper has it now (null when the user holds none). */
  async currentAward(pepperUserId: string, perkId: string): Promise<PepperAward | null> {
    const awards = await this.pepper.getUserPointAwards(pepperUserId);
    return awards.find((a) => a.perkId === perkId) ?? null;
  }

  private async grant(delta: PepperDelta): Promise<PepperDeltaResult> {
    const attempt = await this.begin(delta, 'GRANT', delta.points, null);
    const award = await this.send(attempt, () => this.pepper.grantPoints(delta.perkId, delta.pepperUserId, delta.points));
    return { appliedPoints: delta.points, shortfall: 0, awardId: award.id };
  }

  private async redeem(delta: PepperDelta): Promise<PepperDeltaResult> {
    const wanted = -delta.points;
    const award = await this.currentAward(delta.pepperUserId, delta.perkId);
    const available = Math.max(0, award?.pointsAvailable ?? 0);
    const take = Math.min(wanted, available);
    if (!award || take === 0) {
      // Nothing to redeem: record the movement (for the running totals) as done with nothing applied.
      const attempt = await this.begin(delta, 'REDEEM', 0, award?.id ?? null);
      await this.writeLog.done(attempt, null, { note: 'nothing to redeem', wanted });
      return { appliedPoints: 0, shortfall: wanted, awardId: award?.id ?? null };
    }
    const attempt = await this.begin(delta, 'REDEEM', -take, award.id);
    await this.send(attempt, () => this.pepper.redeemPoints(delta.pepperUserId, award.id, take));
    return { appliedPoints: -take, shortfall: wanted - take, awardId: award.id };
  }

  private begin(delta: PepperDelta, kind: 'GRANT' | 'REDEEM', points: number, awardId: string | null): Promise<OutboundWriteEntity> {
    return this.writeLog.begin({
      idempotencyKey: delta.key,
      target: 'pepper',
      kind,
      pepperUserId: delta.pepperUserId,
      perkId: delta.perkId,
      awardId,
      points,
      amountMinor: delta.sourceMoneyMinor,
      request: { perkId: delta.perkId, awardId, points },
    });
  }

  private async send(attempt: OutboundWriteEntity, call: () => Promise<PepperAward>): Promise<PepperAward> {
    try {
      const award = await call();
      await this.writeLog.done(attempt, award.id, { pointsAvailable: award.pointsAvailable });
      await this.writeLog.recordBalanceAfter(attempt.id, award.id, award.pointsAvailable);
      await this.awards.observe({
        awardId: award.id,
        pepperUserId: award.userId,
        perkId: award.perkId,
        pointsAvailable: award.pointsAvailable,
        asOf: award.updatedAt ?? this.clock.now().toISOString(),
      });
      return award;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof UpstreamError && error.outcomeUnknown) {
        await this.writeLog.unknown(attempt, message);
        // Only the actions feed can tell whether it happened: wait for it rather than count a failure.
        throw new DeferredError(`${message}; waiting for the actions feed to show whether it happened`);
      }
      await this.writeLog.failed(attempt, message);
      throw error;
    }
  }

  /**
   * An earlier attempt of this movement: done (or echoed) settles it; one still in doubt waits for the feed,
   * and is given up (so a new attempt may go) once the feed has passed it without an echo.
   */
  private async settlePrior(key: string): Promise<OutboundWriteEntity | null> {
    const attempts = await this.writeLog.attemptsFor(key);
    const done = attempts.find((a) => a.state === 'DONE' || a.matchedActionId);
    if (done) return done;
    for (const attempt of attempts.filter((a) => a.state === 'PENDING' || a.state === 'UNKNOWN')) {
      const feedCursor = (await this.syncState.get('pepper.actions'))?.cursor;
      const { pollLagSeconds, pollOverlapSeconds } = this.config.pepper;
      const settledBy = attempt.sentAt.getTime() + (pollLagSeconds + pollOverlapSeconds) * 1000;
      if (!feedCursor || Date.parse(feedCursor) <= settledBy) {
        throw new DeferredError(`an earlier attempt (#${attempt.id}) may have reached Pepper; waiting for the actions feed to show its echo`);
      }
      // The feed has passed it, but an action taken in and not yet examined may still be its echo.
      const echoType = attempt.kind === 'GRANT' ? 'REWARD_EARNED' : 'REDEEM_PERK';
      if (attempt.pepperUserId && (await this.events.hasUnexaminedMovement(attempt.pepperUserId, echoType))) {
        throw new DeferredError(`an earlier attempt (#${attempt.id}) may have reached Pepper; a ${echoType} of the user is still to be examined`);
      }
      await this.writeLog.giveUp(attempt, 'no echo in the actions feed: it did not happen');
    }
    return null;
  }
}
