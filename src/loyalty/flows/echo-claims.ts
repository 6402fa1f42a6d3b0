import { Injectable } from '@nestjs/common';
import type { PepperAction } from '../../pepper/pepper.types';
import type { OutboundWriteEntity } from '../../persistence/entities';
import { WriteLog } from '../../persistence/stores/write-log.store';
import type { AwardMovement } from '../rules/action-movement';
import { EchoCandidate, findEcho, MovementAction } from '../rules/echo-matcher';

type EchoKind = 'GRANT' | 'REDEEM';

/**
 * The connector's own grants and redemptions coming back through the actions feed (README "Echoes"): an action is
 * claimed by the oldest matching attempt, once. Call under the user's lock.
 */
@Injectable()
export class EchoClaims {
  constructor(private readonly writeLog: WriteLog) {}

  /** Claims the oldest matching attempt still in play; returns its id when the action is an echo. */
  async claim(action: PepperAction, movement: AwardMovement): Promise<number | null> {
    const kind = kindOf(movement);
    if (!kind) return null;
    const already = await this.writeLog.findMatchedBy(action.id);
    if (already) return already.id;
    const attempts = await this.writeLog.echoCandidates(action.userId as string, kind);
    const match = findEcho(movementAction(action, movement), attempts.map((a) => candidateOf(a, kind)));
    if (!match || !(await this.writeLog.claimEcho(match.attemptId, action.id))) return null;
    const attempt = attempts.find((a) => a.id === match.attemptId);
    if (attempt && attempt.state !== 'DONE') await this.writeLog.done(attempt, movement.awardId, { settledBy: `echo ${action.id}` });
    return match.attemptId;
  }

  /**
   * An echo of an attempt given up (the feed had passed it without an echo, and the movement was sent again): both
   * reached Pepper. Claimed so it is never credited as an earning; the caller reports it.
   */
  async claimGivenUp(action: PepperAction, movement: AwardMovement): Promise<number | null> {
    const kind = kindOf(movement);
    if (!kind) return null;
    const attempts = await this.writeLog.givenUpAttempts(action.userId as string, kind);
    const match = findEcho(movementAction(action, movement), attempts.map((a) => ({ ...candidateOf(a, kind), state: 'UNKNOWN' as const })));
    if (!match || !(await this.writeLog.claimEcho(match.attemptId, action.id))) return null;
    return match.attemptId;
  }
}

function kindOf(movement: AwardMovement): EchoKind | null {
  if (movement.type === 'REWARD_EARNED') return 'GRANT';
  if (movement.type === 'REDEEM_PERK') return 'REDEEM';
  return null;
}

function movementAction(action: PepperAction, movement: AwardMovement): MovementAction {
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

function candidateOf(a: OutboundWriteEntity, kind: EchoKind): EchoCandidate {
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
