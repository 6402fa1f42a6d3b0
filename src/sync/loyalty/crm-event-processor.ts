import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { EventStore } from '../../persistence/stores/event.store';
import { EventQueue } from '../event-queue';
import { CrmJournalHandler } from './crm-journal-handler';

@Injectable()
export class CrmEventProcessor extends EventQueue {
  constructor(events: EventStore, handler: CrmJournalHandler, clock: Clock) {
    super('crmcom', events, handler, clock);
  }
}
