import { ConflictException, Injectable } from '@nestjs/common';
import { JobAlreadyRunningError } from '../../core/job-runner';
import { LoyaltyStatus } from '../../loyalty/flows/loyalty-status';
import { SyncJobs } from '../../sync/sync-jobs';
import type { ResyncDto } from '../dto/resync.dto';

export interface ResyncStarted {
  runId: string;
  runIds: Record<string, string>;
}

@Injectable()
export class StartResyncUseCase {
  constructor(
    private readonly jobs: SyncJobs,
    private readonly loyalty: LoyaltyStatus,
  ) {}

  async execute(command: ResyncDto): Promise<ResyncStarted> {
    const actor = command.actor ?? null;
    try {
      switch (command.scope) {
        case 'users': {
          const run = await this.jobs.startUsersSeed('ADMIN', actor);
          return { runId: run.runId, runIds: { 'users-seed': run.runId } };
        }
        case 'all': {
          const runIds: Record<string, string> = { 'perks-sync': (await this.jobs.startPerksSync('ADMIN', actor)).runId };
          const seed = await this.jobs.startUsersSeed('ADMIN', actor);
          runIds['users-seed'] = seed.runId;
          if (command.since) {
            // A backfill sends writes for old actions: a dry run unless the operator says otherwise.
            const backfill = await this.jobs.startActionsBackfill(new Date(command.since), command.dryRun ?? true, actor);
            runIds['actions-backfill'] = backfill.runId;
          }
          return { runId: seed.runId, runIds };
        }
        case 'perks': {
          const run = await this.jobs.startPerksSync('ADMIN', actor);
          return { runId: run.runId, runIds: { 'perks-sync': run.runId } };
        }
        case 'segments': {
          const run = await this.jobs.startSegmentsSync('ADMIN', actor);
          return { runId: run.runId, runIds: { 'segments-sync': run.runId } };
        }
        case 'products': {
          const run = await this.jobs.startProductsSync('ADMIN', actor);
          return { runId: run.runId, runIds: { 'products-sync': run.runId } };
        }
        case 'awards': {
          const loyalty = this.loyalty.current();
          if (loyalty.state !== 'ACTIVE') throw new ConflictException(`reconciliation needs the loyalty sync, which is ${loyalty.state}: ${loyalty.reason}`);
          // Reconciliation reports by default; fixing balances is opt-in.
          const run = await this.jobs.startReconcile('ADMIN', command.dryRun ?? true, actor);
          return { runId: run.runId, runIds: { reconcile: run.runId } };
        }
      }
    } catch (error) {
      if (error instanceof JobAlreadyRunningError) throw new ConflictException(error.message);
      throw error;
    }
  }
}
