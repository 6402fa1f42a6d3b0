import { Injectable, NotFoundException } from '@nestjs/common';
import { UserLinker } from '../../customers/user-linker';
import { PepperClient } from '../../pepper/pepper.client';
import { UpstreamError } from '../../upstream/upstream-error';
import { presentLink } from '../presenters';

@Injectable()
export class ResyncUserUseCase {
  constructor(
    private readonly pepper: PepperClient,
    private readonly linker: UserLinker,
  ) {}

  async execute(pepperUserId: string, actor: string | null) {
    let outcome;
    try {
      const user = await this.pepper.getUser(pepperUserId);
      outcome = await this.linker.syncUser(user, actor);
    } catch (error) {
      if (error instanceof UpstreamError && error.upstream === 'pepper' && error.code === 'NOT_FOUND') {
        outcome = await this.linker.markDeleted(pepperUserId);
        if (!outcome.link) throw new NotFoundException(`Pepper has no user ${pepperUserId} and there is no link for it`);
      } else {
        throw error;
      }
    }
    return { result: outcome.result, conflictKind: outcome.conflictKind ?? null, link: outcome.link ? presentLink(outcome.link) : null };
  }
}
