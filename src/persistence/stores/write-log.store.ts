import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { Clock } from '../../common/clock';
import { OutboundWriteEntity, WriteTarget } from '../entities';
import { NO_TRANSACTION } from './no-transaction';

export interface NewWriteAttempt {
  idempotencyKey: string;
  target: WriteTarget;
  kind: string;
  pepperUserId: string | null;
  points?: number | null;
  amountMinor?: number | null;
  request: unknown;
}

/** The outbound_write log: each attempt is stored PENDING before it is sent, then settled. */
@Injectable()
export class WriteLog {
  constructor(
    @InjectRepository(OutboundWriteEntity) private readonly repo: Repository<OutboundWriteEntity>,
    private readonly clock: Clock,
  ) {}

  begin(input: NewWriteAttempt): Promise<OutboundWriteEntity> {
    return this.repo.save(
      this.repo.create({
        ...input,
        points: input.points ?? null,
        amountMinor: input.amountMinor ?? null,
        state: 'PENDING',
        sentAt: this.clock.now(),
        response: null,
        upstreamId: null,
        error: null,
      }), NO_TRANSACTION
    );
  }

  async done(attempt: OutboundWriteEntity, upstreamId: string | null, response: unknown = null): Promise<void> {
    await this.repo.update({ id: attempt.id }, { state: 'DONE', upstreamId, response: response as never });
  }

  async unknown(attempt: OutboundWriteEntity, error: string): Promise<void> {
    await this.repo.update({ id: attempt.id }, { state: 'UNKNOWN', error: error.slice(0, 1000) });
  }

  async failed(attempt: OutboundWriteEntity, error: string): Promise<void> {
    await this.repo.update({ id: attempt.id }, { state: 'FAILED', error: error.slice(0, 1000) });
  }

  attemptsFor(idempotencyKey: string): Promise<OutboundWriteEntity[]> {
    return this.repo.find({ where: { idempotencyKey }, order: { id: 'ASC' } });
  }

  /** Attempts whose outcome is not known yet (a crash between send and answer leaves them PENDING). */
  unsettled(idempotencyKey: string): Promise<OutboundWriteEntity[]> {
    return this.repo.find({ where: { idempotencyKey, state: In(['PENDING', 'UNKNOWN']) }, order: { id: 'ASC' } });
  }
}
