import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { UserLinker } from '../../customers/user-linker';
import { ContactTakenError, UserSyncOutcome } from '../../customers/user-sync.types';
import { PepperClient } from '../../pepper/pepper.client';
import { BALANCE_CONFLICT_KINDS, ConflictEntity, ConflictKind, MATCHING_CONFLICT_KINDS } from '../../persistence/entities';
import { ConflictStore } from '../../persistence/stores/conflict.store';
import { LinkStore } from '../../persistence/stores/link.store';
import { LoyaltyStatus } from '../../loyalty/flows/loyalty-status';
import { JobAlreadyRunningError } from '../../core/job-runner';
import { SyncJobs } from '../../sync/sync-jobs';
import { WriteInDoubtError } from '../../common/deferred-error';
import { UpstreamError } from '../../upstream/upstream-error';
import type { ResolveAction, ResolveConflictDto } from '../dto/resolve-conflict.dto';
import { presentConflict, presentLink } from '../presenters';

/** Which operator actions make sense for which conflict kind. */
function allowedActions(kind: ConflictKind): ResolveAction[] {
  if (kind === 'CONTACT_FIELD_TAKEN') return ['ignore'];
  // The user keeps the contact created for it unless the operator links it to the other one.
  if (kind === 'DUPLICATE_CONTACT') return ['link', 'ignore'];
  if ((MATCHING_CONFLICT_KINDS as readonly string[]).includes(kind)) return ['link', 'create', 'ignore'];
  if ((BALANCE_CONFLICT_KINDS as readonly string[]).includes(kind)) return ['accept-crm', 'ignore'];
  return ['ignore'];
}

@Injectable()
export class ResolveConflictUseCase {
  constructor(
    private readonly conflicts: ConflictStore,
    private readonly pepper: PepperClient,
    private readonly linker: UserLinker,
    private readonly links: LinkStore,
    private readonly loyalty: LoyaltyStatus,
    private readonly jobs: SyncJobs,
  ) {}

  /**
   * CRM.COM owns the money. A drift is corrected by a reconciliation run for this one user, with the snapshot gate
   * and as a delta: it resolves the conflict (naming the actor) once the fix is applied, so the answer carries its
   * runId and the conflict stays OPEN until then. An opening balance was already brought to the wallet.
   */
  private async acceptCrm(conflict: ConflictEntity, actor: string) {
    if (conflict.kind === 'BALANCE_DRIFT') {
      const link = await this.links.findByUser(conflict.pepperUserId);
      if (!this.loyalty.walletPerkId() || link?.status !== 'LINKED') throw new ConflictException('the user is not linked, or loyalty sync is off: nothing to set');
      try {
        const run = await this.jobs.startReconcile('ADMIN', false, actor, { pepperUserId: conflict.pepperUserId, actor });
        return { conflict: presentConflict(conflict), link: null, runId: run.runId };
      } catch (error) {
        if (error instanceof JobAlreadyRunningError) throw new ConflictException(`${error.message}; accept again when it has finished`);
        throw error;
      }
    }
    const refreshed = (await this.conflicts.get(conflict.id))!;
    const closed = refreshed.status === 'OPEN' ? await this.conflicts.close(refreshed, 'RESOLVED', 'accepted the CRM.COM wallet', actor) : refreshed;
    return { conflict: presentConflict(closed), link: null };
  }

  async execute(id: number, command: ResolveConflictDto) {
    const conflict = await this.conflicts.get(id);
    if (!conflict) throw new NotFoundException(`no conflict ${id}`);
    if (conflict.status !== 'OPEN') throw new ConflictException(`conflict ${id} is already ${conflict.status}`);
    const allowed = allowedActions(conflict.kind);
    if (!allowed.includes(command.action)) {
      throw new BadRequestException(`action "${command.action}" does not apply to a ${conflict.kind} conflict; use one of: ${allowed.join(', ')}`);
    }
    const actor = command.actor ?? 'admin';
    // Two resolutions of one conflict (two "link" calls naming different contacts) would relink the user: one claim wins.
    if (!(await this.conflicts.claim(id, actor))) {
      const current = await this.conflicts.get(id);
      throw new ConflictException(
        current?.status === 'OPEN' ? `conflict ${id} is being resolved by ${current.claimedBy}` : `conflict ${id} is already ${current?.status}`,
      );
    }
    try {
      return await this.resolveClaimed((await this.conflicts.get(id))!, command, actor);
    } finally {
      await this.conflicts.releaseClaim(id);
    }
  }

  private async resolveClaimed(conflict: ConflictEntity, command: ResolveConflictDto, actor: string) {
    if (command.action === 'ignore') {
      const closed = await this.conflicts.close(conflict, 'IGNORED', 'ignored by an operator', actor);
      return { conflict: presentConflict(closed), link: null };
    }
    if (command.action === 'accept-crm') return this.acceptCrm(conflict, actor);

    const user = await this.pepper.getUser(conflict.pepperUserId);
    let outcome: UserSyncOutcome;
    try {
      outcome =
        command.action === 'link'
          ? await this.linker.linkToContact(user, command.crmContactId as string, actor)
          : await this.linker.createContactFor(user, actor);
    } catch (error) {
      if (error instanceof ContactTakenError) throw new ConflictException(error.message);
      if (error instanceof UpstreamError && error.upstream === 'crmcom' && error.code === 'NOT_FOUND') {
        throw new BadRequestException(`crmContactId: CRM.COM has no contact ${command.crmContactId}`);
      }
      if (error instanceof WriteInDoubtError) throw new ConflictException(`the new contact is not settled yet: ${error.message}`);
      throw error;
    }
    if (outcome.link?.status !== 'LINKED') {
      // Not linked after all (e.g. another user took the contact meanwhile): the conflict stays open, the claim goes.
      throw new ConflictException(`the user did not end linked (${outcome.result}${outcome.conflictKind ? `, ${outcome.conflictKind}` : ''}); conflict ${conflict.id} stays open`);
    }
    const resolution = command.action === 'link' ? `linked to contact ${command.crmContactId}` : `new contact ${outcome.link.crmContactId} created`;
    const refreshed = (await this.conflicts.get(conflict.id))!;
    const closed = refreshed.status === 'OPEN' ? await this.conflicts.close(refreshed, 'RESOLVED', resolution, actor) : refreshed;
    return { conflict: presentConflict(closed), link: presentLink(outcome.link) };
  }
}
