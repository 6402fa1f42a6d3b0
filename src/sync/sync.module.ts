import { Module } from '@nestjs/common';
import { CoreModule } from '../core/core.module';
import { CustomersModule } from '../customers/customers.module';
import { LoyaltyModule } from '../loyalty/loyalty.module';
import { PepperModule } from '../pepper/pepper.module';
import { PersistenceModule } from '../persistence/persistence.module';
import { AudiencesModule } from '../audiences/audiences.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { ProductsModule } from '../products/products.module';
import { ActionsPoller } from './actions-poller';
import { PepperEventHandler } from './pepper-event-handler';
import { PepperEventProcessor } from './pepper-event-processor';
import { SyncJobs } from './sync-jobs';
import { SyncScheduler } from './sync-scheduler';
import { ModeSwitch } from './mode-switch';

/** The feeds and the schedule: the actions feed dispatched to the customer and loyalty flows, and every job's timer. */
@Module({
  imports: [PersistenceModule, PepperModule, CoreModule, CustomersModule, LoyaltyModule, AudiencesModule, NotificationsModule, ProductsModule],
  providers: [PepperEventHandler, PepperEventProcessor, ActionsPoller, SyncJobs, SyncScheduler, ModeSwitch],
  exports: [SyncJobs, PepperEventProcessor],
})
export class SyncModule {}
