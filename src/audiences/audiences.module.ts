import { Module } from '@nestjs/common';
import { CrmComModule } from '../crmcom/crmcom.module';
import { LedgerModule } from '../ledger/ledger.module';
import { PepperModule } from '../pepper/pepper.module';
import { PersistenceModule } from '../persistence/persistence.module';
import { SegmentMirror } from './segment-mirror';

/** CRM.COM audiences (contact segments, reward tiers, tags) mirrored as Pepper segments the connector owns. */
@Module({
  imports: [PersistenceModule, PepperModule, CrmComModule, LedgerModule],
  providers: [SegmentMirror],
  exports: [SegmentMirror],
})
export class AudiencesModule {}
