import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { logEvent } from '../common/structured-log';
import type { EventSource } from '../persistence/entities';
import { EventRequeueStore } from '../persistence/stores/event-requeue.store';
import { EventStore } from '../persistence/stores/event.store';
import type { InvalidItem } from '../upstream/paging';

/** A user's sync the connector queues or parks itself (the seed's), under the Pepper source. */
export const USER_SYNC_EVENT = 'USER_SYNC';

/** Puts what could not be processed where an operator sees it: a FAILED inbound event with its reason. */
@Injectable()
export class EventParking {
  private readonly logger = new Logger('EventParking');

  constructor(
    private readonly events: EventStore,
    private readonly requeue: EventRequeueStore,
    private readonly clock: Clock,
  ) {}

  /** An upstream record that failed validation at the edge (missing ids, wrong types…). */
  async parkInvalid(source: EventSource, type: string, item: InvalidItem): Promise<void> {
    const externalId =
      item.externalId ?? `invalid:${createHash('sha256').update(JSON.stringify(item.raw) ?? 'undefined').digest('hex').slice(0, 24)}`;
    const raw = item.raw as { type?: unknown } | null;
    const eventType = typeof raw?.type === 'string' ? raw.type.slice(0, 64) : type;
    await this.events.upsertFailed({
      source,
      externalId,
      type: eventType,
      pepperUserId: null,
      payload: truncatePayload(item.raw),
      occurredAt: this.clock.now().toISOString(),
      lastError: `invalid payload: ${item.reason}`,
    });
    logEvent(this.logger, 'event_parked', { source, type: eventType, externalId, reason: `invalid payload: ${item.reason}` }, 'warn');
  }

  /** A user the seed could not sync; retried from /admin/failed-events like any parked event. */
  async parkUserSync(pepperUserId: string, error: unknown): Promise<void> {
    const reason = error instanceof Error ? error.message : String(error);
    await this.events.upsertFailed({
      source: 'pepper',
      externalId: `user-sync:${pepperUserId}`,
      type: USER_SYNC_EVENT,
      pepperUserId,
      payload: { pepperUserId },
      occurredAt: this.clock.now().toISOString(),
      lastError: reason,
    });
    logEvent(this.logger, 'event_parked', { source: 'pepper', type: USER_SYNC_EVENT, pepperUserId, reason }, 'warn');
  }

  /** A user whose sync waits on a write in doubt: queued to sync again by itself once the write can be settled. */
  async queueUserSync(pepperUserId: string, at: Date, reason: string): Promise<void> {
    await this.requeue.schedule(
      { source: 'pepper', externalId: `user-sync:${pepperUserId}`, type: USER_SYNC_EVENT, pepperUserId, payload: { pepperUserId }, occurredAt: this.clock.now().toISOString() },
      at,
      reason,
    );
    logEvent(this.logger, 'user_sync_queued', { pepperUserId, at: at.toISOString(), reason });
  }
}

const MAX_PAYLOAD_CHARS = 8_000;

/** Hostile payloads can be huge; keep enough to review, never the whole thing. */
function truncatePayload(raw: unknown): unknown {
  const text = JSON.stringify(raw) ?? 'undefined';
  return text.length <= MAX_PAYLOAD_CHARS ? raw : { truncated: true, preview: text.slice(0, MAX_PAYLOAD_CHARS) };
}
