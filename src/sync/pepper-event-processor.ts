import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { Clock } from '../common/clock';
import { EventStore } from '../persistence/stores/event.store';
import { EventQueue } from '../core/event-queue';
import { PepperEventHandler } from './pepper-event-handler';

@Injectable()
export class PepperEventProcessor extends EventQueue {
  constructor(events: EventStore, handler: PepperEventHandler, clock: Clock, @Inject(APP_CONFIG) config: AppConfig) {
    // What a Pepper event waits for (an opening balance, the perk catalogue) is settled by the next polls.
    super('pepper', events, handler, clock, {
      deferMs: Math.min(30_000, Math.max(1_000, config.pepper.pollIntervalSeconds * 1000)),
      maxWaitMs: config.maxWaitHours * 3_600_000,
      concurrency: config.syncConcurrency,
    });
  }
}
