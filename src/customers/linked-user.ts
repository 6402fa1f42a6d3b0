import { Injectable } from '@nestjs/common';
import { UserLinker } from './user-linker';
import { PepperClient } from '../pepper/pepper.client';
import type { UserLinkEntity } from '../persistence/entities';
import { LinkStore } from '../persistence/stores/link.store';
import { UpstreamError } from '../upstream/upstream-error';

/** The user's link for a loyalty event, linking the user first when they have never been seen. */
@Injectable()
export class LinkedUser {
  constructor(
    private readonly links: LinkStore,
    private readonly pepper: PepperClient,
    private readonly linker: UserLinker,
  ) {}

  /**
   * A LINKED link with a contact, or null when the user is in conflict or unknown to Pepper (the event then
   * waits). An order a user completed before deleting their account still belongs to their contact:
   * `allowDeleted` accepts a DELETED link that keeps one.
   */
  async resolve(pepperUserId: string, options: { allowDeleted?: boolean } = {}): Promise<UserLinkEntity | null> {
    const link = await this.links.findByUser(pepperUserId);
    if (link?.status === 'LINKED' && link.crmContactId) return link;
    if (options.allowDeleted && link?.status === 'DELETED' && link.crmContactId) return link;
    if (link) return null;
    let user;
    try {
      user = await this.pepper.getUser(pepperUserId);
    } catch (error) {
      if (error instanceof UpstreamError && error.upstream === 'pepper' && error.code === 'NOT_FOUND') throw new UserGoneError(pepperUserId);
      throw error;
    }
    if (user.deleted) throw new UserGoneError(pepperUserId);
    const outcome = await this.linker.syncUser(user);
    return outcome.link?.status === 'LINKED' ? outcome.link : null;
  }
}

/** The user was deleted in Pepper before the connector ever linked them: there is no contact to attach to. */
export class UserGoneError extends Error {
  constructor(readonly pepperUserId: string) {
    super(`Pepper user ${pepperUserId} was deleted before being linked to a contact`);
  }
}
