import { Injectable } from '@nestjs/common';
import { UserLinker, UserSyncOutcome } from '../mapping/user-linker.service';
import { PepperClient } from '../pepper/pepper.client';
import type { InboundEventEntity } from '../persistence/entities';
import { UpstreamError } from '../upstream/upstream-error';

export const USER_ACTION_TYPES = ['USER_CREATED', 'USER_CHANGED', 'USER_DELETED'] as const;

export type HandleResult =
  | { state: 'DONE'; note: string | null; outcome?: UserSyncOutcome }
  | { state: 'SKIPPED'; note: string }
  | { state: 'PARK'; reason: string };

/**
 * What one Pepper inbound event does. User events re-read the user (action metadata does not carry it) and
 * sync the link; parked seed failures (USER_SYNC) are retried the same way.
 */
@Injectable()
export class PepperEventHandler {
  constructor(
    private readonly pepper: PepperClient,
    private readonly linker: UserLinker,
  ) {}

  handles(type: string): boolean {
    return type === 'USER_SYNC' || (USER_ACTION_TYPES as readonly string[]).includes(type);
  }

  async handle(event: InboundEventEntity): Promise<HandleResult> {
    if (!this.handles(event.type)) return { state: 'SKIPPED', note: `no flow for ${event.type} in this version` };
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
