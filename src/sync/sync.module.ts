import { Module } from '@nestjs/common';
import { MappingModule } from '../mapping/mapping.module';
import { PepperModule } from '../pepper/pepper.module';
import { CrmComModule } from '../crmcom/crmcom.module';
import { PersistenceModule } from '../persistence/persistence.module';
import { ActionsPoller } from './actions-poller';
import { EventParking } from './event-parking';
import { JobRunner } from './job-runner';
import { PepperEventHandler } from './pepper-event-handler';
import { PepperEventProcessor } from './pepper-event-processor';
import { BackfillPlan } from './loyalty/backfill-plan';
import { LinkRepair } from './loyalty/link-repair';
import { SyncJobs } from './sync-jobs';
import { SyncScheduler } from './sync-scheduler';
import { UsersSeedJob } from './users-seed.job';
import { LoyaltyStatus } from './loyalty/loyalty-status';
import { CrmEventProcessor } from './loyalty/crm-event-processor';
import { CrmJournalHandler } from './loyalty/crm-journal-handler';
import { CrmJournalWriter } from './loyalty/crm-journal-writer';
import { JournalPoller } from './loyalty/journal-poller';
import { LinkedUser } from './loyalty/linked-user';
import { OpeningBalance } from './loyalty/opening-balance';
import { PepperAwardWriter } from './loyalty/pepper-award-writer';
import { PepperLoyaltyHandler } from './loyalty/pepper-loyalty-handler';
import { PerksSync } from './loyalty/perks-sync';
import { Reconciliation } from './loyalty/reconciliation';

@Module({
  imports: [PersistenceModule, PepperModule, CrmComModule, MappingModule],
  providers: [
    LoyaltyStatus,
    JobRunner,
    EventParking,
    UsersSeedJob,
    PepperEventHandler,
    PepperEventProcessor,
    ActionsPoller,
    LinkedUser,
    PepperAwardWriter,
    CrmJournalWriter,
    PepperLoyaltyHandler,
    OpeningBalance,
    CrmJournalHandler,
    CrmEventProcessor,
    JournalPoller,
    PerksSync,
    Reconciliation,
    BackfillPlan,
    LinkRepair,
    SyncJobs,
    SyncScheduler,
  ],
  exports: [LoyaltyStatus, JobRunner, SyncJobs, PepperEventProcessor, CrmEventProcessor, UsersSeedJob, Reconciliation],
})
export class SyncModule {}
