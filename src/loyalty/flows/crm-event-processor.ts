import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { Clock } from '../../common/clock';
import { EventStore } from '../../persistence/stores/event.store';
import { EventQueue } from '../../core/event-queue';
import { CrmJournalHandler } from './crm-journal-handler';

@Injectable()
export class CrmEventProcessor extends EventQueue {
  constructor(events: EventStore, handler: CrmJournalHandler, clock: Clock, @Inject(APP_CONFIG) config: AppConfig) {
    // A movement waiting on a Pepper write in doubt can settle only once the actions feed has passed it.
    const { pollLagSeconds, pollOverlapSeconds } = config.pepper;
    super('crmcom', events, handler, clock, {
      deferMs: Math.min(300_000, Math.max(1_000, (pollLagSeconds + pollOverlapSeconds) * 1000)),
      maxWaitMs: config.maxWaitHours * 3_600_000,
      concurrency: config.syncConcurrency,
    });
  }
}
