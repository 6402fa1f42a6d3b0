import { ConflictException, Injectable } from '@nestjs/common';
import { JobAlreadyRunningError } from '../../sync/job-runner';
import { LoyaltyStatus } from '../../sync/loyalty-status';
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
          const seed = await this.jobs.startUsersSeed('ADMIN', actor);
          const runIds: Record<string, string> = { 'users-seed': seed.runId };
          if (command.since) {
            // A backfill sends writes for old actions: a dry run unless the operator says otherwise.
            const backfill = await this.jobs.startActionsBackfill(new Date(command.since), command.dryRun ?? true, actor);
            runIds['actions-backfill'] = backfill.runId;
          }
          return { runId: seed.runId, runIds };
        }
        case 'awards':
        case 'perks': {
          const loyalty = this.loyalty.current();
          throw new ConflictException(`scope "${command.scope}" needs the loyalty sync, which is ${loyalty.state}: ${loyalty.reason}`);
        }
      }
    } catch (error) {
      if (error instanceof JobAlreadyRunningError) throw new ConflictException(error.message);
      throw error;
    }
  }
}
