import { Injectable } from '@nestjs/common';
import { UserLinker } from '../customers/user-linker';
import type { UserSyncOutcome } from '../customers/user-sync.types';
import { PepperClient } from '../pepper/pepper.client';
import type { InboundEventEntity } from '../persistence/entities';
import { UpstreamError } from '../upstream/upstream-error';
import type { EventHandler, HandleResult } from '../core/handle-result';
import { USER_SYNC_EVENT } from '../core/event-parking';
import { PepperLoyaltyHandler } from '../loyalty/flows/pepper-loyalty-handler';

export const USER_ACTION_TYPES = ['USER_CREATED', 'USER_CHANGED', 'USER_DELETED'] as const;
const USER_EVENT_TYPES: readonly string[] = [...USER_ACTION_TYPES, USER_SYNC_EVENT];

/**
 * What one Pepper inbound event does. User events re-read the user (action metadata does not carry it) and
 * sync the link; parked seed failures (USER_SYNC) are retried the same way; loyalty actions go to the loyalty flows.
 */
@Injectable()
export class PepperEventHandler implements EventHandler {
  constructor(
    private readonly pepper: PepperClient,
    private readonly linker: UserLinker,
    private readonly loyalty: PepperLoyaltyHandler,
  ) {}

  coalesceKey(event: InboundEventEntity): string | null {
    return event.pepperUserId && USER_EVENT_TYPES.includes(event.type) ? `user:${event.pepperUserId}` : null;
  }

  async handle(event: InboundEventEntity): Promise<HandleResult> {
    if (this.loyalty.handles(event.type)) return this.loyalty.handle(event);
    if (!USER_EVENT_TYPES.includes(event.type)) return { state: 'SKIPPED', note: `no flow for ${event.type}` };
    if (!event.pepperUserId) return { state: 'PARK', reason: 'the action names no user (context.user._id is missing)' };
    const user = await this.readUser(event.pepperUserId);
    const outcome = user ? await this.linker.syncUser(user) : await this.linker.markDeleted(event.pepperUserId);
    return { state: 'DONE', note: outcome.result, outcome };
  }

  /** The user as Pepper has it now; null when Pepper no longer knows them (deleted). */
  private async readUser(pepperUserId: string) {
    try {
      return await this.pepper.getUser(pepperUserId);
    } catch (error) {
      if (error instanceof UpstreamError && error.code === 'NOT_FOUND') return null;
      throw error;
    }
  }
}
