import { BadRequestException, ConflictException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { logEvent } from '../../common/structured-log';
import { EventRequeueStore } from '../../persistence/stores/event-requeue.store';
import { WriteLog } from '../../persistence/stores/write-log.store';
import type { SettleWriteDto } from '../dto/writes.dto';
import { presentWrite } from '../presenters';

/**
 * An operator's answer to a write in doubt: it happened (DONE, never sent again) or it did not (FAILED, so a new
 * attempt may be sent). The user's waiting events are made due at once, so they continue by themselves.
 */
@Injectable()
export class SettleWriteUseCase {
  private readonly logger = new Logger('SettleWrite');

  constructor(
    private readonly writes: WriteLog,
    private readonly requeue: EventRequeueStore,
  ) {}

  async execute(id: number, command: SettleWriteDto) {
    if (command.outcome === 'did-not-happen' && command.upstreamId !== undefined) {
      throw new BadRequestException('upstreamId applies only to the outcome "happened"');
    }
    const attempt = await this.writes.get(id);
    if (!attempt) throw new NotFoundException(`no write ${id}`);
    const state = command.outcome === 'happened' ? 'DONE' : 'FAILED';
    // Conditional on still being in doubt: the connector's own read-back (or another operator) may have settled it.
    const settled = await this.writes.settleByOperator(id, state, command.upstreamId ?? attempt.upstreamId, command.actor);
    if (!settled) {
      const current = (await this.writes.get(id))!;
      throw new ConflictException(`write ${id} is ${current.state}; only a PENDING or UNKNOWN write can be settled`);
    }
    const requeuedEvents = attempt.pepperUserId ? await this.requeue.requeuePendingOf(attempt.pepperUserId) : 0;
    logEvent(this.logger, 'write_settled', {
      writeId: id,
      idempotencyKey: attempt.idempotencyKey,
      target: attempt.target,
      kind: attempt.kind,
      pepperUserId: attempt.pepperUserId,
      outcome: command.outcome,
      state,
      upstreamId: command.upstreamId ?? null,
      actor: command.actor,
      requeuedEvents,
    });
    return { write: presentWrite((await this.writes.get(id))!), requeuedEvents };
  }
}
