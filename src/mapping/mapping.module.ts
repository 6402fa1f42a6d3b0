import { Module } from '@nestjs/common';
import { UserLocks } from '../common/keyed-mutex';
import { CrmComModule } from '../crmcom/crmcom.module';
import { PersistenceModule } from '../persistence/persistence.module';
import { UserLinker } from './user-linker.service';
import { WriteProtocol } from './write-protocol';

@Module({
  imports: [PersistenceModule, CrmComModule],
  providers: [UserLocks, WriteProtocol, UserLinker],
  exports: [UserLocks, WriteProtocol, UserLinker],
})
export class MappingModule {}
