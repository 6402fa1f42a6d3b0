import { Module } from '@nestjs/common';
import { UserLocks } from '../common/keyed-mutex';
import { CrmComModule } from '../crmcom/crmcom.module';
import { PersistenceModule } from '../persistence/persistence.module';
import { UserLinker } from './user-linker.service';
import { WriteProtocol } from './write-protocol';
import { ConflictReporter } from './conflict-reporter';

@Module({
  imports: [PersistenceModule, CrmComModule],
  providers: [UserLocks, WriteProtocol, ConflictReporter, UserLinker],
  exports: [UserLocks, WriteProtocol, ConflictReporter, UserLinker],
})
export class MappingModule {}
