import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import type { HandleResult } from '../../core/handle-result';
import { CrmComClient } from '../../crmcom/crmcom.client';
import { LinkedUser } from '../../customers/linked-user';
import { ConflictReporter } from '../../ledger/conflict-reporter';
import { formatKey } from '../../ledger/keys';
import { UserLocks } from '../../ledger/user-locks';
import { WriteProtocol } from '../../ledger/write-protocol';
import type { PepperAction } from '../../pepper/pepper.types';
import { WriteLog } from '../../persistence/stores/write-log.store';
import { mapOrderToPurchase } from '../rules/order-mapper';

/**
 * Pepper orders → CRM.COM purchases (README "Orders"): one purchase per order, keyed by its reference; a refund opens
 * an ORDER_REFUNDED conflict naming the purchase, for a person to reverse in CRM.COM.
 */
@Injectable()
export class OrderFlow {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly linkedUser: LinkedUser,
    private readonly locks: UserLocks,
    private readonly writes: WriteProtocol,
    private readonly writeLog: WriteLog,
    private readonly conflictReporter: ConflictReporter,
    private readonly crm: CrmComClient,
  ) {}

  async completed(action: PepperAction): Promise<HandleResult> {
    const link = await this.linkedUser.resolve(action.userId as string, { allowDeleted: true });
    if (!link) return { state: 'WAITING_LINK', note: 'the user is not linked to a contact yet' };
    const mapped = mapOrderToPurchase(action, {
      applicationId: this.config.pepper.applicationId,
      currency: this.config.crmcom.currency,
      contactId: link.crmContactId as string,
      locationOrganisations: this.config.loyalty.locationOrganisations,
      maxTotalMinor: this.config.loyalty.orderMaxTotalMinor,
    });
    if (!mapped.ok) return { state: 'PARK', reason: `unreadable order: ${mapped.reason}` };
    const purchase = mapped.purchase;
    const purchaseId = await this.locks.forUser(link.pepperUserId, () =>
      this.writes.write({
        idempotencyKey: purchase.referenceNumber,
        target: 'crmcom',
        kind: 'PURCHASE',
        pepperUserId: link.pepperUserId,
        amountMinor: purchase.totalMinor,
        request: { referenceNumber: purchase.referenceNumber, contactId: purchase.contactId, totalMinor: purchase.totalMinor },
        send: () => this.crm.createPurchase(purchase),
        readBack: async () => (await this.crm.findPurchasesByReference(purchase.referenceNumber))[0]?.id ?? null,
      }),
    );
    return { state: 'DONE', note: `purchase ${purchaseId}` };
  }

  async refunded(action: PepperAction): Promise<HandleResult> {
    const orderId = action.metadata.orderId;
    if ((typeof orderId !== 'string' || !orderId) && typeof orderId !== 'number') {
      return { state: 'PARK', reason: 'ORDER_PAYMENT_REFUNDED without metadata.orderId' };
    }
    const reference = formatKey({ kind: 'order', applicationId: this.config.pepper.applicationId, orderId: String(orderId) });
    const purchase = (await this.writeLog.attemptsFor(reference)).find((a) => a.state === 'DONE');
    const conflict = await this.conflictReporter.report({
      kind: 'ORDER_REFUNDED',
      pepperUserId: action.userId as string,
      candidateContactIds: [],
      eventKey: action.id,
      details: {
        reason: 'the order was refunded in Pepper; reverse its purchase in CRM.COM (cancelling a purchase through the API is not confirmed)',
        orderId: String(orderId),
        purchaseReference: reference,
        purchaseId: purchase?.upstreamId ?? null,
      },
    });
    return { state: 'DONE', note: `ORDER_REFUNDED conflict ${conflict.id}` };
  }
}
