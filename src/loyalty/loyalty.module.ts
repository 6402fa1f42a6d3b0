import { Module } from '@nestjs/common';
import { CoreModule } from '../core/core.module';
import { CrmComModule } from '../crmcom/crmcom.module';
import { CustomersModule } from '../customers/customers.module';
import { LedgerModule } from '../ledger/ledger.module';
import { PepperModule } from '../pepper/pepper.module';
import { PersistenceModule } from '../persistence/persistence.module';
import { BackfillPlan } from './flows/backfill-plan';
import { CrmEventProcessor } from './flows/crm-event-processor';
import { CrmJournalHandler } from './flows/crm-journal-handler';
import { CrmJournalWriter } from './flows/crm-journal-writer';
import { JournalPoller } from './flows/journal-poller';
import { LinkRepair } from './flows/link-repair';
import { LoyaltyStatus } from './flows/loyalty-status';
import { OpeningBalance } from './flows/opening-balance';
import { PepperAwardWriter } from './flows/pepper-award-writer';
import { PepperLoyaltyHandler } from './flows/pepper-loyalty-handler';
import { OrderFlow } from './flows/order-flow';
import { WalletMovementFlow } from './flows/wallet-movement-flow';
import { EchoClaims } from './flows/echo-claims';
import { PerksSync } from './flows/perks-sync';
import { Reconciliation } from './flows/reconciliation';

/** One loyalty balance: orders, wallet movements both ways, opening balances, reconciliation. */
@Module({
  imports: [PersistenceModule, PepperModule, CrmComModule, LedgerModule, CoreModule, CustomersModule],
  providers: [
    LoyaltyStatus,
    PepperAwardWriter,
    CrmJournalWriter,
    PepperLoyaltyHandler,
    OrderFlow,
    WalletMovementFlow,
    EchoClaims,
    OpeningBalance,
    CrmJournalHandler,
    CrmEventProcessor,
    JournalPoller,
    PerksSync,
    Reconciliation,
    BackfillPlan,
    LinkRepair,
  ],
  exports: [LoyaltyStatus, PepperLoyaltyHandler, CrmEventProcessor, JournalPoller, PerksSync, Reconciliation, BackfillPlan, LinkRepair],
})
export class LoyaltyModule {}
