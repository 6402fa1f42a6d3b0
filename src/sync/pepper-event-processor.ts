import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { logEvent } from '../common/structured-log';
import type { InboundEventEntity } from '../persistence/entities';
import { EventStore } from '../persistence/stores/event.store';
import { dispositionOf } from '../upstream/error-disposition';
import { MAX_EVENT_ATTEMPTS, nextAttemptDelayMs } from './event-retry-policy';
import type { RunContext } from './job-runner';
import { PepperEventHandler } from './pepper-event-handler';

const BATCH_SIZE = 200;

/**
 * Works the Pepper event queue oldest first. An event that fails for a passing reason waits and is retried;
 * one that cannot succeed, or has used its attempts, is parked FAILED so it never blocks the feed.
 * A 401/403 stops the run (the next scheduled run tries again) and leaves the event untouched.
 */
@Injectable()
export class PepperEventProcessor {
  private readonly logger = new Logger('PepperEventProcessor');

  constructor(
    private readonly events: EventStore,
    private readonly handler: PepperEventHandler,
    private readonly clock: Clock,
  ) {}

  async processDue(ctx: RunContext): Promise<void> {
    const seen = new Set<number>();
    // User events for one user in one batch are covered by the one re-read of that user.
    const reReadUsers = new Set<string>();
    for (;;) {
      const batch = (await this.events.due('pepper', BATCH_SIZE)).filter((e) => !seen.has(e.id));
      if (batch.length === 0 || ctx.stopping) return;
      for (const event of batch) {
        seen.add(event.id);
        if (ctx.stopping) return;
        if (event.pepperUserId && this.handler.handles(event.type) && reReadUsers.has(event.pepperUserId)) {
          await this.events.settle(event, 'DONE', 'covered by a re-read of the user in the same batch');
          ctx.add('coalesced');
          continue;
        }
        await this.processOne(event, ctx);
        if (event.pepperUserId && this.handler.handles(event.type)) reReadUsers.add(event.pepperUserId);
      }
    }
  }

  /** Processes one event now, whatever its schedule (used by the queue and by an operator's retry). */
  async processOne(event: InboundEventEntity, ctx: RunContext | null): Promise<void> {
    try {
      const result = await this.handler.handle(event);
      if (result.state === 'PARK') {
        await this.park(event, result.reason);
        ctx?.add('parked');
        return;
      }
      await this.events.settle(event, result.state, result.note);
      ctx?.add(result.state === 'DONE' ? 'done' : 'skipped');
      if (result.state === 'DONE' && result.outcome) ctx?.add(`user.${result.outcome.result.toLowerCase()}`);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const disposition = dispositionOf(error);
      if (disposition === 'FAIL_RUN') throw error;
      if (disposition === 'PARK' || event.attempts + 1 >= MAX_EVENT_ATTEMPTS) {
        await this.park(event, reason);
        ctx?.add('parked');
        return;
      }
      const at = new Date(this.clock.nowMs() + nextAttemptDelayMs(event.attempts));
      await this.events.retryLater(event, reason, at);
      ctx?.add('retryLater');
      logEvent(this.logger, 'event_retry_scheduled', { eventId: event.id, type: event.type, externalId: event.externalId, attempt: event.attempts + 1, at: at.toISOString(), reason }, 'warn');
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
