import { Module } from '@nestjs/common';
import { PersistenceModule } from '../persistence/persistence.module';
import { ConflictReporter } from './conflict-reporter';
import { UserLocks } from './user-locks';
import { WriteProtocol } from './write-protocol';
import { SyncMode } from './sync-mode';

/** The money ledger: the write protocol, the per-user locks, and the one way conflicts are opened and logged. */
@Module({
  imports: [PersistenceModule],
  providers: [UserLocks, WriteProtocol, ConflictReporter, SyncMode],
  exports: [UserLocks, WriteProtocol, ConflictReporter, SyncMode],
})
export class LedgerModule {}
