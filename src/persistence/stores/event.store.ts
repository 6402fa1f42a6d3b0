import { Inject, Injectable, Optional } from '@nestjs/common';
import { countRowsOf } from '../table-counts';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { Instance } from '../coordination/instance';
import { rawQuery } from '../dialect';
import { TableRows } from '../table-rows';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, LessThan, LessThanOrEqual, MoreThanOrEqual, Not, Repository } from 'typeorm';
import { Clock } from '../../common/clock';
import { EventSource, InboundEventEntity, InboundEventState } from '../entities';
import { ListPage, pageById } from './page';
import { isUniqueViolation } from '../constraint-violation';

export interface NewInboundEvent {
  source: EventSource;
  externalId: string;
  type: string;
  pepperUserId: string | null;
  payload: unknown;
  occurredAt: string;
  state?: InboundEventState;
  lastError?: string | null;
}

const ERROR_TEXT_LIMIT = 1000;

@Injectable()
export class EventStore {
  /** the statements made for every event (table-rows.ts) */
  private readonly rows: TableRows<InboundEventEntity>;

  constructor(
    @InjectRepository(InboundEventEntity) private readonly repo: Repository<InboundEventEntity>,
    private readonly clock: Clock,
    @Optional() @Inject(APP_CONFIG) private readonly config?: AppConfig,
    @Optional() private readonly instance?: Instance,
  ) {
    this.rows = new TableRows(repo);
  }

  /** Several instances share the queue (Postgres): events are claimed before they are worked. */
  get sharesQueue(): boolean {
    return Boolean(this.config?.databaseUrl && this.instance);
  }

  /** Records an event once; a duplicate (same source and external id) is ignored and reported as not new. */
  async recordIfNew(input: NewInboundEvent): Promise<boolean> {
    try {
      // Nothing of the row is read back: its defaults would cost a SELECT per event.
      await this.rows.insert({
        source: input.source,
        externalId: input.externalId,
        type: input.type,
        pepperUserId: input.pepperUserId,
        payload: input.payload,
        occurredAt: input.occurredAt,
        state: input.state ?? 'PENDING',
        lastError: input.lastError?.slice(0, ERROR_TEXT_LIMIT) ?? null,
        attempts: 0,
        nextAttemptAt: null,
        movementPoints: null,
        waitingSince: null,
        claimedBy: null,
        claimedUntil: null,
      });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /**
   * Records a page of events, each once: the ones already recorded cost one lookup for the page, not a failed insert
   * each (a held feed re-reads its window every poll). Answers the external ids recorded now.
   */
  async recordNew(source: EventSource, inputs: readonly Omit<NewInboundEvent, 'source'>[]): Promise<Set<string>> {
    const recorded = new Set<string>();
    if (inputs.length === 0) return recorded;
    const known = await this.knownOf(source, inputs.map((input) => input.externalId));
    for (const input of inputs) {
      if (known.has(input.externalId)) continue;
      // Still keyed: another instance may record the same event between the lookup and the insert.
      if (await this.recordIfNew({ ...input, source })) recorded.add(input.externalId);
      known.add(input.externalId);
    }
    return recorded;
  }

  /** Which of these external ids are recorded already. */
  async knownOf(source: EventSource, externalIds: string[]): Promise<Set<string>> {
    if (externalIds.length === 0) return new Set();
    const rows = await this.repo.find({ select: { externalId: true }, where: { source, externalId: In(externalIds) } });
    return new Set(rows.map((row) => row.externalId));
  }

  /** Parks an event, creating it or moving an existing one (same source and id) to FAILED. */
  async upsertFailed(input: NewInboundEvent & { lastError: string }): Promise<void> {
    const inserted = await this.recordIfNew({ ...input, state: 'FAILED' });
    if (!inserted) {
      await this.repo.update(
        { source: input.source, externalId: input.externalId },
        { state: 'FAILED', lastError: input.lastError.slice(0, ERROR_TEXT_LIMIT), nextAttemptAt: null },
      );
    }
  }

  findByExternalIds(source: EventSource, externalIds: string[]): Promise<InboundEventEntity[]> {
    return externalIds.length === 0 ? Promise.resolve([]) : this.repo.findBy({ source, externalId: In(externalIds) });
  }

  /**
   * Events ready to be (re)processed, oldest first. On Postgres they are claimed for this instance first (see
   * claimDue), so instances sharing the queue work different users.
   */
  due(source: EventSource, limit: number): Promise<InboundEventEntity[]> {
    if (this.sharesQueue) return this.claimDue(source, limit);
    const now = this.clock.now();
    return this.repo.find({
      where: [
        { source, state: 'PENDING', nextAttemptAt: IsNull() },
        { source, state: 'PENDING', nextAttemptAt: LessThanOrEqual(now) },
      ],
      // Ties (same millisecond) keep the feed's own order: Pepper lists newest first (so recorded ids run
      // backwards in time), CRM.COM oldest first.
      order: { occurredAt: 'ASC', id: source === 'pepper' ? 'DESC' : 'ASC' },
      take: limit,
    });
  }

  /**
   * Claims a batch for this instance, in one short transaction: the claims of one source are taken one instance at a
   * time (a transaction advisory lock), the rows with FOR UPDATE SKIP LOCKED. A user whose events another instance has
   * claimed (a live claim) is left to it entirely, so one user's events are worked by one instance, in order. A claim
   * lives LEASE_TTL_SECONDS, renewed by the holder's heartbeat (renewClaims) and dropped once the event is handled;
   * a dead instance's claims lapse and its users go to the others.
   */
  private async claimDue(source: EventSource, limit: number): Promise<InboundEventEntity[]> {
    const me = (this.instance as Instance).id;
    const now = this.clock.now();
    const until = new Date(now.getTime() + this.claimTtlMs);
    const ids = await this.repo.manager.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(4243, hashtext($1))', [`claim:${source}`]);
      const rows: Array<{ id: number }> = await rawQuery(
        tx.queryRunner ?? tx.connection,
        `SELECT e."id" FROM "inbound_event" e
         WHERE e."source" = ? AND e."state" = 'PENDING' AND (e."nextAttemptAt" IS NULL OR e."nextAttemptAt" <= ?)
           AND (e."claimedUntil" IS NULL OR e."claimedUntil" < ? OR e."claimedBy" = ?)
           AND (e."pepperUserId" IS NULL OR NOT EXISTS (
             SELECT 1 FROM "inbound_event" o WHERE o."pepperUserId" = e."pepperUserId" AND o."state" = 'PENDING'
               AND o."claimedBy" <> ? AND o."claimedUntil" >= ?))
         ORDER BY e."occurredAt" ASC, e."id" ${source === 'pepper' ? 'DESC' : 'ASC'}
         LIMIT ? FOR UPDATE OF e SKIP LOCKED`,
        [source, now, now, me, me, now, limit],
      );
      if (rows.length === 0) return [];
      const claimed = rows.map((r) => r.id);
      await tx.update(InboundEventEntity, { id: In(claimed) }, { claimedBy: me, claimedUntil: until });
      return claimed;
    });
    if (ids.length === 0) return [];
    const events = await this.repo.findBy({ id: In(ids) });
    const order = new Map(ids.map((id, i) => [id, i]));
    return events.sort((a, b) => (order.get(a.id) as number) - (order.get(b.id) as number));
  }

  /** How often a holder renews its claims while it works (a third of their life); null when not claiming. */
  get claimRenewEveryMs(): number | null {
    return this.sharesQueue ? Math.max(100, Math.floor(this.claimTtlMs / 3)) : null;
  }

  private get claimTtlMs(): number {
    return (this.config?.leaseTtlSeconds ?? 30) * 1000;
  }

  /** Keeps this instance's live claims alive (its heartbeat while it works the queue). */
  async renewClaims(): Promise<number> {
    if (!this.sharesQueue) return 0;
    const now = this.clock.now();
    const result = await this.repo.update(
      { claimedBy: (this.instance as Instance).id, state: 'PENDING', claimedUntil: MoreThanOrEqual(now) },
      { claimedUntil: new Date(now.getTime() + this.claimTtlMs) },
    );
    return result.affected ?? 0;
  }

  /** Drops this instance's claims on what it did not get to (the end of its share of a run). */
  async releaseClaims(source: EventSource): Promise<void> {
    if (!this.sharesQueue) return;
    await this.repo.update({ source, claimedBy: (this.instance as Instance).id, state: 'PENDING', claimedUntil: Not(IsNull()) }, { claimedUntil: null });
  }

  /**
   * Whether the feed's cursor must stay: an event taken in that is neither settled nor waiting. Waiting events
   * (bounded by MAX_WAIT_HOURS) never hold a feed for everyone; a state query, whatever the window's size. Events the
   * connector makes itself under the feed's source (`notOfTypes`: opening balances, user-sync retries) are not the
   * feed's and do not hold it.
   */
  async holdsCursor(source: EventSource, notOfTypes: readonly string[] = []): Promise<boolean> {
    const type = notOfTypes.length > 0 ? { type: Not(In([...notOfTypes])) } : {};
    return (await this.repo.countBy({ source, state: 'PENDING', waitingSince: IsNull(), ...type })) > 0;
  }

  /** Events that have waited (for a link, an echo, an opening balance, loyalty) since before the cutoff. */
  overdueWaits(source: EventSource, cutoff: Date, limit: number): Promise<InboundEventEntity[]> {
    return this.repo.find({
      where: [
        { source, state: 'PENDING', waitingSince: LessThan(cutoff) },
        { source, state: 'WAITING_LINK', waitingSince: LessThan(cutoff) },
      ],
      order: { id: 'ASC' },
      take: limit,
    });
  }

  /** The waiting events of a source: how many, and since when the oldest waits (for /admin/status). */
  async waitingSummary(source: EventSource): Promise<{ count: number; oldestSince: Date | null }> {
    const row: { count: number | string; oldest: string | Date | null } | undefined = await this.repo
      .createQueryBuilder('e')
      .select('COUNT(*)', 'count')
      .addSelect('MIN(e.waitingSince)', 'oldest')
      .where('e.source = :source AND e.state IN (:...states) AND e.waitingSince IS NOT NULL', { source, states: ['PENDING', 'WAITING_LINK'] })
      .getRawOne();
    // SQLite answers text, Postgres a Date.
    const oldest = row?.oldest instanceof Date ? row.oldest : row?.oldest ? new Date(/Z$|[+-]\d\d:?\d\d$/.test(row.oldest) ? row.oldest : `${row.oldest.replace(' ', 'T')}Z`) : null;
    return { count: Number(row?.count ?? 0), oldestSince: oldest };
  }

  /** Waiting events of these types become due now (e.g. loyalty events once loyalty is ACTIVE). */
  async wakeWaiting(types: readonly string[]): Promise<number> {
    const result = await this.repo.update({ state: 'PENDING', waitingSince: Not(IsNull()), type: In([...types]) }, { nextAttemptAt: null });
    return result.affected ?? 0;
  }

  /** Stores the points a movement stands for, before any upstream call (every retry then sends the same). */
  async setMovementPoints(event: InboundEventEntity, points: number): Promise<void> {
    await this.repo.update({ id: event.id }, { movementPoints: points });
    event.movementPoints = points;
  }

  /** A Pepper movement of the user taken in but not yet examined (an echo may be among them): its points are unset. */
  async hasUnexaminedMovement(pepperUserId: string, type: string): Promise<boolean> {
    return (await this.repo.countBy({ source: 'pepper', pepperUserId, type, state: 'PENDING', movementPoints: IsNull() })) > 0;
  }

  /** Whether the user's opening balance is still to be applied (their Pepper movements wait for it). */
  async hasPendingOfType(pepperUserId: string, type: string): Promise<boolean> {
    return (await this.repo.countBy({ pepperUserId, type, state: 'PENDING' })) > 0;
  }

  /** Whether anything for this user is still to be processed (reconciliation leaves such users alone). */
  async hasPendingFor(pepperUserId: string): Promise<boolean> {
    return (await this.repo.countBy({ pepperUserId, state: In(['PENDING', 'WAITING_LINK']) })) > 0;
  }

  get(id: number): Promise<InboundEventEntity | null> {
    return this.repo.findOneBy({ id });
  }

  async settle(event: InboundEventEntity, state: 'DONE' | 'SKIPPED' | 'WAITING_LINK', note: string | null = null): Promise<void> {
    const waitingSince = state === 'WAITING_LINK' ? (event.waitingSince ?? this.clock.now()) : null;
    await this.rows.update({ state, lastError: note, nextAttemptAt: null, attempts: event.attempts + 1, waitingSince, claimedUntil: null }, '"id" = ?', [event.id]);
  }

  async retryLater(event: InboundEventEntity, error: string, at: Date): Promise<void> {
    await this.repo.update(
      { id: event.id },
      { state: 'PENDING', attempts: event.attempts + 1, lastError: error.slice(0, ERROR_TEXT_LIMIT), nextAttemptAt: at, waitingSince: null, claimedUntil: null },
    );
  }

  /** Waits without using an attempt: the event is fine, it just cannot be settled yet. */
  async defer(event: InboundEventEntity, note: string, at: Date): Promise<void> {
    await this.repo.update(
      { id: event.id },
      { state: 'PENDING', lastError: note.slice(0, ERROR_TEXT_LIMIT), nextAttemptAt: at, waitingSince: event.waitingSince ?? this.clock.now(), claimedUntil: null },
    );
  }

  async park(event: InboundEventEntity, error: string): Promise<void> {
    await this.repo.update(
      { id: event.id },
      { state: 'FAILED', attempts: event.attempts + 1, lastError: error.slice(0, ERROR_TEXT_LIMIT), nextAttemptAt: null, waitingSince: null, claimedUntil: null },
    );
  }

  /** An operator's retry: the event goes back to the queue with a fresh budget. */
  async requeue(id: number): Promise<void> {
    await this.repo.update({ id }, { state: 'PENDING', attempts: 0, nextAttemptAt: null, waitingSince: null });
  }

  /** Users with events WAITING_LINK although they are linked now (a crash between linking and requeueing). */
  async waitingLinkOfLinkedUsers(limit: number): Promise<string[]> {
    const rows: Array<{ pepperUserId: string }> = await this.repo
      .createQueryBuilder('e')
      .select('DISTINCT e.pepperUserId', 'pepperUserId')
      .innerJoin('user_link', 'l', 'l.pepperUserId = e.pepperUserId')
      .where("e.state = 'WAITING_LINK' AND l.status = 'LINKED'")
      .limit(limit)
      .getRawMany();
    return rows.map((r) => r.pepperUserId);
  }

  async requeueWaitingFor(pepperUserId: string): Promise<number> {
    // Still waiting (the clock of the wait goes on): requeued for the link, not yet settled.
    return this.rows.update({ state: 'PENDING', nextAttemptAt: null }, `"pepperUserId" = ? AND "state" = 'WAITING_LINK'`, [pepperUserId]);
  }

  listFailed(limit: number, cursor: string | null, source?: EventSource): Promise<ListPage<InboundEventEntity>> {
    return pageById(this.repo, source ? { state: 'FAILED', source } : { state: 'FAILED' }, limit, cursor);
  }

  async countByState(): Promise<Record<string, number>> {
    const rows = await countRowsOf<{ state: string; count: number }>(
      this.repo.createQueryBuilder('e').select('e.state', 'state').addSelect('COUNT(*)', 'count').groupBy('e.state'),
    );
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.count)]));
  }
}
