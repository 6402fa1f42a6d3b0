import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { EventStore } from '../../persistence/stores/event.store';
import { PepperEventProcessor } from '../../sync/pepper-event-processor';
import { CrmEventProcessor } from '../../loyalty/flows/crm-event-processor';
import { presentFailedEvent } from '../presenters';

/** Puts a parked event back with a fresh budget and processes it now; answers with where it ended. */
@Injectable()
export class RetryFailedEventUseCase {
  constructor(
    private readonly events: EventStore,
    private readonly pepperProcessor: PepperEventProcessor,
    private readonly crmProcessor: CrmEventProcessor,
  ) {}

  async execute(id: number) {
    const event = await this.events.get(id);
    if (!event) throw new NotFoundException(`no event ${id}`);
    if (event.state !== 'FAILED') throw new ConflictException(`event ${id} is ${event.state}, not FAILED`);
    await this.events.requeue(id);
    const requeued = (await this.events.get(id))!;
    await (requeued.source === 'pepper' ? this.pepperProcessor : this.crmProcessor).processOne(requeued, null);
    return presentFailedEvent((await this.events.get(id))!);
  }
}
