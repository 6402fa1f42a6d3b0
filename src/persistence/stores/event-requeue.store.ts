import { dialectOf } from '../dialect';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { Clock } from '../../common/clock';
import { InboundEventEntity } from '../entities';
import type { NewInboundEvent } from './event.store';

export interface FailedEventFilter {
  /** exact event type */
  type?: string;
  /** case-insensitive substring of lastError */
  reason?: string;
}

const ERROR_TEXT_LIMIT = 1000;
const CHUNK = 500;

/** Puts inbound events (back) in the queue: scheduled ones, an operator's bulk retry, a user's waiting events. */
@Injectable()
export class EventRequeueStore {
  constructor(
    @InjectRepository(InboundEventEntity) private readonly repo: Repository<InboundEventEntity>,
    private readonly clock: Clock,
  ) {}

  /** Queues the event PENDING, due at `at`; an existing one (same source and id) is moved there, keeping its attempts. */
  async schedule(input: NewInboundEvent, at: Date, note: string): Promise<void> {
    const lastError = note.slice(0, ERROR_TEXT_LIMIT);
    const existing = await this.repo.findOneBy({ source: input.source, externalId: input.externalId });
    if (existing) {
      await this.repo.update({ id: existing.id }, { state: 'PENDING', lastError, nextAttemptAt: at });
      return;
    }
    await this.repo.insert({ ...input, payload: input.payload as never, state: 'PENDING', lastError, attempts: 0, nextAttemptAt: at });
  }

  /** The user's PENDING events become due now (e.g. the write they waited on was settled). */
  async requeuePendingOf(pepperUserId: string): Promise<number> {
    const result = await this.repo.update({ pepperUserId, state: 'PENDING' }, { nextAttemptAt: this.clock.now() });
    return result.affected ?? 0;
  }

  /** Ids of the FAILED events matching the filter, oldest first. */
  async matchingFailed(filter: FailedEventFilter): Promise<number[]> {
    const query = this.repo.createQueryBuilder('e').select('e.id', 'id').where("e.state = 'FAILED'");
    if (filter.type) query.andWhere('e.type = :type', { type: filter.type });
    if (filter.reason) {
      // A substring position on lower() rather than LIKE: the operator's text may hold % or _.
      const position = dialectOf(this.repo.manager.connection) === 'postgres' ? 'strpos' : 'instr';
      query.andWhere(`${position}(lower(coalesce(e.lastError, '')), :reason) > 0`, { reason: filter.reason.toLowerCase() });
    }
    const rows: Array<{ id: number }> = await query.orderBy('e.id', 'ASC').getRawMany();
    return rows.map((r) => Number(r.id));
  }

  /** Back to the queue with a fresh budget; only events still FAILED move (another retry may have taken some). */
  async requeueFailed(ids: number[]): Promise<number> {
    let requeued = 0;
    // Chunks keep each statement under SQLite's limit on bound parameters.
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      const result = await this.repo.update({ id: In(chunk), state: 'FAILED' }, { state: 'PENDING', attempts: 0, nextAttemptAt: null });
      requeued += result.affected ?? 0;
    }
    return requeued;
  }
}
