import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { mapOrderToPurchase } from '../rules/order-mapper';
import type { PepperAction } from '../../pepper/pepper.types';
import { LinkStore } from '../../persistence/stores/link.store';
import { WriteLog } from '../../persistence/stores/write-log.store';
import type { RunContext } from '../../core/job-runner';

/**
 * What a backfill would write for one old action, counted on the run (a dry run writes nothing): purchases and their
 * total for orders of linked users, orders that would wait for a link or be parked, and user re-syncs.
 */
@Injectable()
export class BackfillPlan {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly links: LinkStore,
    private readonly writeLog: WriteLog,
  ) {}

  async count(ctx: RunContext, action: PepperAction): Promise<void> {
    ctx.add(`wouldProcess.${action.type}`);
    if (action.type !== 'ORDER_COMPLETED') {
      ctx.add('wouldSync.user');
      return;
    }
    const link = action.userId ? await this.links.findByUser(action.userId) : null;
    const mapped = mapOrderToPurchase(action, {
      applicationId: this.config.pepper.applicationId,
      currency: this.config.crmcom.currency,
      contactId: link?.crmContactId ?? 'unlinked',
      locationOrganisations: this.config.loyalty.locationOrganisations,
      maxTotalMinor: this.config.loyalty.orderMaxTotalMinor,
    });
    if (!mapped.ok) {
      ctx.add('wouldPark.unreadableOrder');
      return;
    }
    if ((await this.writeLog.attemptsFor(mapped.purchase.referenceNumber)).some((a) => a.state === 'DONE')) {
      ctx.add('alreadyPurchased');
      return;
    }
    if (!link?.crmContactId || link.status === 'CONFLICT') {
      ctx.add('wouldWaitForLink.purchase');
      return;
    }
    ctx.add('wouldWrite.purchase');
    ctx.add('wouldWrite.purchaseMinor', mapped.purchase.totalMinor);
  }
}
