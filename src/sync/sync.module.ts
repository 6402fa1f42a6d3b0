import { Module } from '@nestjs/common';
import { MappingModule } from '../mapping/mapping.module';
import { PepperModule } from '../pepper/pepper.module';
import { PersistenceModule } from '../persistence/persistence.module';
import { ActionsPoller } from './actions-poller';
import { EventParking } from './event-parking';
import { JobRunner } from './job-runner';
import { PepperEventHandler } from './pepper-event-handler';
import { PepperEventProcessor } from './pepper-event-processor';
import { SyncJobs } from './sync-jobs';
import { SyncScheduler } from './sync-scheduler';
import { UsersSeedJob } from './users-seed.job';
import { LoyaltyStatus } from './loyalty-status';

@Module({
  imports: [PersistenceModule, PepperModule, MappingModule],
  providers: [LoyaltyStatus, JobRunner, EventParking, UsersSeedJob, PepperEventHandler, PepperEventProcessor, ActionsPoller, SyncJobs, SyncScheduler],
  exports: [LoyaltyStatus, JobRunner, SyncJobs, PepperEventProcessor, UsersSeedJob],
})
export class SyncModule {}
