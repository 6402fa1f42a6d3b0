import { Injectable, Logger } from '@nestjs/common';
import { logEvent } from '../../common/structured-log';
import { EventRequeueStore } from '../../persistence/stores/event-requeue.store';
import type { BulkRetryDto } from '../dto/bulk-retry.dto';

/**
 * Puts the parked events matching a type and a reason back in the queue with a fresh budget; they then flow through
 * the normal queue on its next run. A dry run (the default) only counts them.
 */
@Injectable()
export class BulkRetryFailedEventsUseCase {
  private readonly logger = new Logger('BulkRetryFailedEvents');

  constructor(private readonly requeue: EventRequeueStore) {}

  async execute(command: BulkRetryDto) {
    const dryRun = command.dryRun ?? true;
    const ids = await this.requeue.matchingFailed({ type: command.type, reason: command.reason });
    const requeued = dryRun ? 0 : await this.requeue.requeueFailed(ids);
    if (!dryRun) {
      logEvent(this.logger, 'failed_events_requeued', {
        type: command.type ?? null,
        reason: command.reason ?? null,
        matched: ids.length,
        requeued,
        actor: command.actor ?? 'unnamed',
      });
    }
    return { matched: ids.length, requeued, dryRun };
  }
}
