import { Module } from '@nestjs/common';
import { CoreModule } from '../core/core.module';
import { CrmComModule } from '../crmcom/crmcom.module';
import { LedgerModule } from '../ledger/ledger.module';
import { PepperModule } from '../pepper/pepper.module';
import { PersistenceModule } from '../persistence/persistence.module';
import { LinkedUser } from './linked-user';
import { ContactWriter } from './contact-writer';
import { ProfileUpdater } from './profile-updater';
import { UserLinker } from './user-linker';
import { UsersSeedJob } from './users-seed.job';
import { ContactIndex } from './contact-index';

/** Pepper users ⇄ CRM.COM contacts: matching, creation, profile updates and the users seed. */
@Module({
  imports: [PersistenceModule, PepperModule, CrmComModule, LedgerModule, CoreModule],
  providers: [UserLinker, ContactWriter, ProfileUpdater, LinkedUser, UsersSeedJob, ContactIndex],
  exports: [UserLinker, LinkedUser, UsersSeedJob],
})
export class CustomersModule {}
