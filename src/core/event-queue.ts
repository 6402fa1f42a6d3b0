import { Inject, Logger, Optional } from '@nestjs/common';
import { Metrics } from '../observability/metrics';
import { Clock } from '../common/clock';
import { logEvent } from '../common/structured-log';
import type { EventSource, InboundEventEntity } from '../persistence/entities';
import { EventStore } from '../persistence/stores/event.store';
import { dispositionOf } from '../upstream/error-disposition';
import { MAX_EVENT_ATTEMPTS, nextAttemptDelayMs } from './event-retry-policy';
import type { RunContext } from './job-runner';
import { DeferredError } from '../common/deferred-error';
import type { EventHandler } from './handle-result';
import { forEachBounded } from '../common/bounded-concurrency';

const BATCH_SIZE = 200;
/**
 * On a queue several instances share, a batch is claimed (held by this instance until worked): two events per lane
 * keep the lanes busy without hoarding, so an instance that ticks a moment later still finds a share of a burst.
 */
const CLAIMED_PER_LANE = 2;
const DEFAULT_DEFER_MS = 30_000;

export interface EventQueueTiming {
  /** how long a waiting event waits before its next look, unless its waiter says when */
  deferMs: number;
  /** the longest an event may wait (for a link, an echo, an opening balance, loyalty) before it is parked */
  maxWaitMs: number;
  /** how many users' events are worked at once (SYNC_CONCURRENCY); one user's events always one at a time, in order */
  concurrency?: number;
}

/** One user's events stay in order in one lane; an event naming no user is a lane of its own. */
function lanesOf(batch: readonly InboundEventEntity[]): InboundEventEntity[][] {
  const lanes = new Map<string, InboundEventEntity[]>();
  for (const event of batch) {
    const key = event.pepperUserId ? `user:${event.pepperUserId}` : `event:${event.id}`;
    const lane = lanes.get(key);
    if (lane) lane.push(event);
    else lanes.set(key, [event]);
  }
  return [...lanes.values()];
}

/**
 * Works one source's event queue oldest first. An event that fails for a passing reason waits and is retried;
 * one that cannot succeed, or has used its attempts, is parked FAILED so it never blocks the feed. An event
 * that cannot be settled yet (DeferredError) waits without using an attempt. A 401/403 stops the run (the next
 * scheduled run tries again) and leaves the event untouched.
 */
export abstract class EventQueue {
  private readonly logger: Logger;
  /** set by Nest (property injection, so the subclasses' constructors stay as they are) */
  @Optional() @Inject(Metrics) private readonly metrics?: Metrics;

  protected constructor(
    private readonly source: EventSource,
    private readonly events: EventStore,
    private readonly handler: EventHandler,
    private readonly clock: Clock,
    private readonly timing: EventQueueTiming = { deferMs: DEFAULT_DEFER_MS, maxWaitMs: 6 * 3_600_000 },
  ) {
    this.logger = new Logger(`EventQueue:${source}`);
  }

  async processDue(ctx: RunContext): Promise<void> {
    // Several instances (Postgres): the batches are claimed; the claims are kept alive while this share is worked
    // and what is left unworked is given back at the end.
    const renewEvery = this.events.claimRenewEveryMs;
    const renewal = renewEvery ? setInterval(() => void this.events.renewClaims().catch(() => undefined), renewEvery) : null;
    renewal?.unref();
    try {
      await this.workDue(ctx);
    } finally {
      if (renewal) clearInterval(renewal);
      await this.events.releaseClaims(this.source);
    }
  }

  private async workDue(ctx: RunContext): Promise<void> {
    await this.parkOverdueWaits(ctx);
    const seen = new Set<number>();
    const covered = new Set<string>();
    const size = this.events.sharesQueue ? Math.max(1, this.timing.concurrency ?? 1) * CLAIMED_PER_LANE : BATCH_SIZE;
    for (;;) {
      const batch = (await this.events.due(this.source, size)).filter((e) => !seen.has(e.id));
      if (batch.length === 0 || ctx.stopping) return;
      for (const event of batch) seen.add(event.id);
      // Users are independent (every flow of one user runs under that user's lock): several users at once, each
      // user's events in the queue's order. A failure that stops the run lets the lanes in flight finish first.
      await forEachBounded(lanesOf(batch), this.timing.concurrency ?? 1, async (lane) => {
        for (const event of lane) {
          if (ctx.stopping) return;
          const key = this.handler.coalesceKey?.(event) ?? null;
          if (key && covered.has(key)) {
            await this.events.settle(event, 'DONE', 'covered by handling an earlier event of the same batch');
            ctx.add('coalesced');
            continue;
          }
          await this.processOne(event, ctx);
          if (key) covered.add(key);
        }
      });
      if (ctx.stopping) return;
    }
  }

  /** Processes one event now, whatever its schedule (used by the queue and by an operator's retry). */
  async processOne(event: InboundEventEntity, ctx: RunContext | null): Promise<void> {
    const outcome = await this.work(event, ctx);
    this.metrics?.eventsSettled.inc({ source: this.source, type: event.type, outcome });
  }

  private async work(event: InboundEventEntity, ctx: RunContext | null): Promise<string> {
    try {
      const result = await this.handler.handle(event);
      if (result.state === 'PARK') {
        await this.park(event, result.reason);
        ctx?.add('parked');
        return 'parked';
      }
      await this.events.settle(event, result.state, result.note);
      ctx?.add(result.state === 'DONE' ? 'done' : result.state === 'SKIPPED' ? 'skipped' : 'waitingLink');
      if (result.state === 'DONE' && result.outcome) ctx?.add(`user.${result.outcome.result.toLowerCase()}`);
      return result.state === 'WAITING_LINK' ? 'waiting' : result.state.toLowerCase();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (error instanceof DeferredError) {
        const at = error.retryAt && error.retryAt.getTime() > this.clock.nowMs() ? error.retryAt : new Date(this.clock.nowMs() + this.timing.deferMs);
        await this.events.defer(event, reason, at);
        ctx?.add('deferred');
        return 'waiting';
      }
      const disposition = dispositionOf(error);
      if (disposition === 'FAIL_RUN') throw error;
      if (disposition === 'PARK' || event.attempts + 1 >= MAX_EVENT_ATTEMPTS) {
        await this.park(event, reason);
        ctx?.add('parked');
        return 'parked';
      }
      const at = new Date(this.clock.nowMs() + nextAttemptDelayMs(event.attempts));
      await this.events.retryLater(event, reason, at);
      ctx?.add('retryLater');
      logEvent(this.logger, 'event_retry_scheduled', { eventId: event.id, type: event.type, externalId: event.externalId, attempt: event.attempts + 1, at: at.toISOString(), reason }, 'warn');
      return 'retry';
    }
  }

  /** Every wait is bounded: past MAX_WAIT_HOURS the event is parked with what it waited for, loudly. */
  private async parkOverdueWaits(ctx: RunContext): Promise<void> {
    const cutoff = new Date(this.clock.nowMs() - this.timing.maxWaitMs);
    for (;;) {
      const overdue = await this.events.overdueWaits(this.source, cutoff, BATCH_SIZE);
      if (overdue.length === 0) return;
      for (const event of overdue) {
        const hours = Math.round((this.timing.maxWaitMs / 3_600_000) * 100) / 100;
        const reason = `waited longer than MAX_WAIT_HOURS (${hours} h) since ${event.waitingSince?.toISOString()}: ${event.lastError ?? event.state}`;
        await this.events.park(event, reason);
        ctx.add('waitExpired');
        logEvent(
          this.logger,
          'wait_expired',
          { eventId: event.id, source: event.source, type: event.type, externalId: event.externalId, pepperUserId: event.pepperUserId, reason },
          'error',
        );
      }
    }
  }

  private async park(event: InboundEventEntity, reason: string): Promise<void> {
    await this.events.park(event, reason);
    logEvent(
      this.logger,
      'event_parked',
      { eventId: event.id, source: event.source, type: event.type, externalId: event.externalId, pepperUserId: event.pepperUserId, reason },
      'warn',
    );
  }
}
