import type { InboundEventEntity } from '../persistence/entities';

/** Where one event ended: settled (done, skipped, waiting for a link) or to be parked with the reason. */
export type HandleResult =
  | { state: 'DONE'; note: string | null; outcome?: { result: string } }
  | { state: 'SKIPPED'; note: string }
  | { state: 'WAITING_LINK'; note: string }
  | { state: 'PARK'; reason: string };

export interface EventHandler {
  handle(event: InboundEventEntity): Promise<HandleResult>;
  /** events with the same key in one batch are covered by handling the first (e.g. one re-read of a user) */
  coalesceKey?(event: InboundEventEntity): string | null;
}
