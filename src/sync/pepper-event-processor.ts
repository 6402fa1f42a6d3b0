import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { EventStore } from '../persistence/stores/event.store';
import { EventQueue } from './event-queue';
import { PepperEventHandler } from './pepper-event-handler';

@Injectable()
export class PepperEventProcessor extends EventQueue {
  constructor(events: EventStore, handler: PepperEventHandler, clock: Clock) {
    super('pepper', events, handler, clock);
  }
}
