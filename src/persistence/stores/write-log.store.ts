import { rawQuery } from '../dialect';
import { TableRows } from '../table-rows';
import { Injectable } from '@nestjs/common';
import { countRowsOf } from '../table-counts';
import { InjectRepository } from '@nestjs/typeorm';
import { FindOptionsWhere, In, IsNull, Not, Repository } from 'typeorm';
import { Clock } from '../../common/clock';
import { OutboundWriteEntity, WriteState, WriteTarget } from '../entities';
import { ListPage, pageById } from './page';

export interface NewWriteAttempt {
  idempotencyKey: string;
  target: WriteTarget;
  kind: string;
  pepperUserId: string | null;
  points?: number | null;
  amountMinor?: number | null;
  perkId?: string | null;
  awardId?: string | null;
  request: unknown;
}

/** The outbound_write log: each attempt is stored PENDING before it is sent, then settled. */
@Injectable()
export class WriteLog {
  /** the statements made for every write (table-rows.ts) */
  private readonly rows: TableRows<OutboundWriteEntity>;

  constructor(
    @InjectRepository(OutboundWriteEntity) private readonly repo: Repository<OutboundWriteEntity>,
    private readonly clock: Clock,
  ) {
    this.rows = new TableRows(repo);
  }

  /** Stored and committed before the write is sent (the write protocol); every value is given here, so none is read back. */
  async begin(input: NewWriteAttempt): Promise<OutboundWriteEntity> {
    const sentAt = this.clock.now();
    const attempt = this.repo.create({
      ...input,
      points: input.points ?? null,
      amountMinor: input.amountMinor ?? null,
      perkId: input.perkId ?? null,
      awardId: input.awardId ?? null,
      balanceAfter: null,
      matchedActionId: null,
      state: 'PENDING',
      sentAt,
      response: null,
      upstreamId: null,
      error: null,
      gaveUpAt: null,
      settledBy: null,
      settledAt: null,
      createdAt: sentAt,
      updatedAt: sentAt,
    });
    attempt.id = (await this.rows.insert(attempt)) as number;
    return attempt;
  }

  /** A write the connector would have made (SYNC_MODE=shadow): stored with what it would send, never sent. */
  async recordShadow(input: NewWriteAttempt): Promise<OutboundWriteEntity> {
    const attempt = await this.begin(input);
    await this.repo.update({ id: attempt.id }, { state: 'SHADOW' });
    return { ...attempt, state: 'SHADOW' };
  }

  async hasShadow(idempotencyKey: string): Promise<boolean> {
    return (await this.repo.countBy({ idempotencyKey, state: 'SHADOW' })) > 0;
  }

  async shadowSummary(): Promise<Record<string, number>> {
    const rows = await countRowsOf<{ target: string; kind: string; count: number }>(
      this.repo
        .createQueryBuilder('w')
        .select('w.target', 'target')
        .addSelect('w.kind', 'kind')
        .addSelect('COUNT(*)', 'count')
        .where("w.state = 'SHADOW'")
        .groupBy('w.target')
        .addGroupBy('w.kind'),
    );
    return Object.fromEntries(rows.map((r) => [`${r.target}.${r.kind}`, Number(r.count)]));
  }

  async done(attempt: OutboundWriteEntity, upstreamId: string | null, response: unknown = null): Promise<void> {
    await this.rows.update({ state: 'DONE', upstreamId, response }, '"id" = ?', [attempt.id]);
  }

  async unknown(attempt: OutboundWriteEntity, error: string): Promise<void> {
    await this.rows.update({ state: 'UNKNOWN', error: error.slice(0, 1000) }, '"id" = ?', [attempt.id]);
  }

  async failed(attempt: OutboundWriteEntity, error: string): Promise<void> {
    await this.rows.update({ state: 'FAILED', error: error.slice(0, 1000) }, '"id" = ?', [attempt.id]);
  }

  async recordBalanceAfter(attemptId: number, awardId: string, balanceAfter: number): Promise<void> {
    await this.repo.update({ id: attemptId }, { awardId, balanceAfter });
  }

  /** Pepper grant / redeem attempts of a user that an action could be the echo of. */
  echoCandidates(pepperUserId: string, kind: 'GRANT' | 'REDEEM'): Promise<OutboundWriteEntity[]> {
    return this.repo.find({
      where: { target: 'pepper', pepperUserId, kind, state: In(['PENDING', 'UNKNOWN', 'DONE']), matchedActionId: IsNull() },
      order: { sentAt: 'ASC', id: 'ASC' },
    });
  }

  /** Pepper attempts given up because the feed showed no echo: an echo that still comes is not an earning. */
  givenUpAttempts(pepperUserId: string, kind: 'GRANT' | 'REDEEM'): Promise<OutboundWriteEntity[]> {
    return this.repo.find({
      where: { target: 'pepper', pepperUserId, kind, state: 'FAILED', gaveUpAt: Not(IsNull()), matchedActionId: IsNull() },
      order: { sentAt: 'ASC', id: 'ASC' },
    });
  }

  /** Marks an attempt given up: the actions feed passed it without an echo, so it did not happen. */
  async giveUp(attempt: OutboundWriteEntity, reason: string): Promise<void> {
    await this.repo.update({ id: attempt.id }, { state: 'FAILED', error: reason.slice(0, 1000), gaveUpAt: this.clock.now() });
  }

  /** Claims the attempt for this echo; false when another echo claimed it first. */
  async claimEcho(attemptId: number, actionId: string): Promise<boolean> {
    const result = await this.repo.update({ id: attemptId, matchedActionId: IsNull() }, { matchedActionId: actionId });
    return (result.affected ?? 0) === 1;
  }

  findMatchedBy(actionId: string): Promise<OutboundWriteEntity | null> {
    return this.repo.findOneBy({ matchedActionId: actionId });
  }

  /** Pepper writes still in flight for a user (reconciliation leaves such users alone). */
  async hasUnsettledFor(pepperUserId: string): Promise<boolean> {
    return (await this.repo.countBy({ pepperUserId, state: In(['PENDING', 'UNKNOWN']) })) > 0;
  }

  /** Journal ids the connector itself created (its mirrors), among the given ones. */
  async ownUpstreamIds(upstreamIds: string[]): Promise<Set<string>> {
    if (upstreamIds.length === 0) return new Set();
    const rows = await this.repo.find({ select: { upstreamId: true }, where: { target: 'crmcom', upstreamId: In(upstreamIds) } });
    return new Set(rows.map((r) => r.upstreamId as string));
  }

  /**
   * What a user's movements of one flow (a key prefix) have moved so far, counting each key once and leaving out
   * keys whose attempts all failed: the running total the next movement's conversion starts from.
   */
  async movedTotal(pepperUserId: string, keyPrefix: string, excludeKey: string, column: 'points' | 'amountMinor'): Promise<number> {
    const rows: Array<{ total: number | string | null }> = await rawQuery(
      this.repo.manager.connection,
      `SELECT SUM(v) AS total FROM (
         SELECT MAX("${column}") AS v FROM "outbound_write"
         WHERE "pepperUserId" = ? AND substr("idempotencyKey", 1, ?) = ? AND "idempotencyKey" != ? AND "state" NOT IN ('FAILED', 'SHADOW')
         GROUP BY "idempotencyKey") AS per_key`,
      [pepperUserId, keyPrefix.length, keyPrefix, excludeKey],
    );
    return Number(rows[0]?.total ?? 0);
  }

  attemptsFor(idempotencyKey: string): Promise<OutboundWriteEntity[]> {
    return this.rows.select('"idempotencyKey" = ? ORDER BY "id"', [idempotencyKey]);
  }

  /** Attempts whose outcome is not known yet (a crash between send and answer leaves them PENDING). */
  unsettled(idempotencyKey: string): Promise<OutboundWriteEntity[]> {
    return this.repo.find({ where: { idempotencyKey, state: In(['PENDING', 'UNKNOWN']) }, order: { id: 'ASC' } });
  }

  get(id: number): Promise<OutboundWriteEntity | null> {
    return this.repo.findOneBy({ id });
  }

  list(filter: { state?: WriteState; target?: WriteTarget }, limit: number, cursor: string | null): Promise<ListPage<OutboundWriteEntity>> {
    const where: FindOptionsWhere<OutboundWriteEntity> = {};
    if (filter.state) where.state = filter.state;
    if (filter.target) where.target = filter.target;
    return pageById(this.repo, where, limit, cursor);
  }

  /** An operator's settlement; false when the attempt was no longer in doubt (settled meanwhile). */
  async settleByOperator(id: number, state: 'DONE' | 'FAILED', upstreamId: string | null, actor: string): Promise<boolean> {
    const result = await this.repo.update(
      { id, state: In(['PENDING', 'UNKNOWN']) },
      { state, upstreamId, settledBy: actor, settledAt: this.clock.now() },
    );
    return (result.affected ?? 0) === 1;
  }

  /** Attempts still in doubt that were sent before `sentBefore`, per target. */
  async countInDoubt(sentBefore: Date): Promise<Record<WriteTarget, number>> {
    const rows = await countRowsOf<{ target: WriteTarget; count: number }>(
      this.repo
        .createQueryBuilder('w')
        .select('w.target', 'target')
        .addSelect('COUNT(*)', 'count')
        .where("w.state IN ('PENDING', 'UNKNOWN')")
        .andWhere('w.sentAt < :sentBefore', { sentBefore })
        .groupBy('w.target'),
    );
    const inDoubt = (target: WriteTarget) => Number(rows.find((r) => r.target === target)?.count ?? 0);
    return { pepper: inDoubt('pepper'), crmcom: inDoubt('crmcom') };
  }
}
