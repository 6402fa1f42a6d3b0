import { Module } from '@nestjs/common';
import { CrmComModule } from '../crmcom/crmcom.module';
import { LedgerModule } from '../ledger/ledger.module';
import { PepperModule } from '../pepper/pepper.module';
import { PersistenceModule } from '../persistence/persistence.module';
import { CrmComWebhookController } from './crmcom-webhook.controller';
import { NotificationSender } from './notification-sender';
import { NotificationStatusPoller } from './notification-status-poller';

/** App notifications, CRM.COM → Pepper: the automation webhook, campaigns to mirrored segments, delivery status. */
@Module({
  imports: [PersistenceModule, PepperModule, CrmComModule, LedgerModule],
  controllers: [CrmComWebhookController],
  providers: [NotificationSender, NotificationStatusPoller],
  exports: [NotificationSender, NotificationStatusPoller],
})
export class NotificationsModule {}
