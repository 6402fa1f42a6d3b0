import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { WriteInDoubtError } from '../common/deferred-error';
import { logEvent } from '../common/structured-log';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { CrmComClient } from '../crmcom/crmcom.client';
import { formatKey } from '../ledger/keys';
import { KeyedMutex } from '../ledger/user-locks';
import { WriteProtocol, WriteUnprovableError } from '../ledger/write-protocol';
import { PepperClient } from '../pepper/pepper.client';
import type { PepperNotificationWrite } from '../pepper/pepper-audience.types';
import type { NotificationEntity } from '../persistence/entities';
import { LinkStore } from '../persistence/stores/link.store';
import { NewNotification, NotificationStore } from '../persistence/stores/notification.store';
import { SegmentMirrorStore } from '../persistence/stores/segment-mirror.store';
import { WriteLog } from '../persistence/stores/write-log.store';

/** One CRM.COM automation call, its fields read from the payload (CRMCOM_WEBHOOK_FIELDS). */
export interface TransactionalNotification {
  eventId: string;
  contactId: string | null;
  contactCode: string | null;
  title: string | null;
  message: string;
  serviceMessage: boolean;
}

export interface CampaignNotification {
  /** a SEGMENT_MAP source (`segment:<id>`, `tier:<id>`, …) or a mirrored Pepper segment id */
  segment: string;
  title: string | null;
  message: string;
  isProcessingMessage: boolean;
  actor: string | null;
}

export type SendOutcome =
  | { result: 'sent'; notification: NotificationEntity }
  | { result: 'duplicate'; notification: NotificationEntity }
  | { result: 'in-doubt'; notification: NotificationEntity; reason: string }
  | { result: 'not-sent'; reason: string };

/** How far before the first attempt a receipt may be dated and still be that attempt's (clock skew). */
const RECEIPT_SKEW_MS = 60_000;

/**
 * Sends app notifications through Pepper (design §9). Each is stored under its idempotency key before the send
 * (`crmcom:notification:<eventId>` for a webhook, `pepper:<app>:campaign:<id>` for a campaign); a send whose answer
 * was lost is settled by the user's receipts, never resent blindly. One send per key at a time.
 */
@Injectable()
export class NotificationSender {
  private readonly logger = new Logger('Notifications');
  private readonly locks = new KeyedMutex();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly pepper: PepperClient,
    private readonly crm: CrmComClient,
    private readonly links: LinkStore,
    private readonly mirrors: SegmentMirrorStore,
    private readonly notifications: NotificationStore,
    private readonly writes: WriteProtocol,
    private readonly writeLog: WriteLog,
  ) {}

  async sendTransactional(event: TransactionalNotification): Promise<SendOutcome> {
    const key = formatKey({ kind: 'notification', eventId: event.eventId });
    const known = await this.notifications.findByKey(key);
    if (known?.state === 'SENT') return { result: 'duplicate', notification: known };

    const contactId = event.contactId ?? (await this.contactIdByCode(event.contactCode as string));
    if (contactId === null) return this.notSent(event.eventId, `no CRM.COM contact has the code ${event.contactCode}`);
    const link = await this.links.findLinkedByContact(contactId);
    if (!link) return this.notSent(event.eventId, `CRM.COM contact ${contactId} is not linked to a Pepper user`);

    const body: PepperNotificationWrite = { title: event.title, message: event.message, isProcessingMessage: event.serviceMessage };
    return this.send(
      { key, kind: 'TRANSACTIONAL', pepperUserId: link.pepperUserId, crmContactId: contactId, pepperSegmentId: null, source: null, title: event.title, message: event.message, isProcessingMessage: event.serviceMessage, actor: null },
      () => this.pepper.notifyUser(link.pepperUserId, body),
      () => this.findInReceipts(key, link.pepperUserId, body),
    );
  }

  async sendCampaign(campaign: CampaignNotification): Promise<SendOutcome> {
    const mirror = (await this.mirrors.get(campaign.segment)) ?? (await this.mirrors.findByPepperSegment(campaign.segment));
    if (!mirror?.pepperSegmentId) return { result: 'not-sent', reason: `${campaign.segment} is not a segment the connector mirrors (or it has no Pepper segment yet)` };
    const segmentId = mirror.pepperSegmentId;
    const key = formatKey({ kind: 'campaign', applicationId: this.config.pepper.applicationId, campaignId: randomUUID() });
    const body: PepperNotificationWrite = { title: campaign.title, message: campaign.message, isProcessingMessage: campaign.isProcessingMessage };
    return this.send(
      { key, kind: 'CAMPAIGN', pepperUserId: null, crmContactId: null, pepperSegmentId: segmentId, source: mirror.source, title: campaign.title, message: campaign.message, isProcessingMessage: campaign.isProcessingMessage, actor: campaign.actor },
      () => this.pepper.notifySegments([segmentId], body),
      () => Promise.reject(new Error('Pepper offers no read-back for a segment notification; settle it with POST /admin/writes/:id/settle')),
    );
  }

  private send(input: NewNotification, send: () => Promise<string>, readBack: () => Promise<string | null>): Promise<SendOutcome> {
    return this.locks.runExclusive(input.key, async () => {
      const { notification, created } = await this.notifications.record(input);
      if (!created && notification.state === 'SENT') return { result: 'duplicate', notification };
      try {
        const pepperId = await this.writes.write({
          idempotencyKey: input.key,
          target: 'pepper',
          kind: 'NOTIFICATION',
          pepperUserId: null,
          request: { kind: input.kind, pepperUserId: input.pepperUserId, pepperSegmentId: input.pepperSegmentId },
          send,
          readBack,
        });
        await this.notifications.sent(notification.id, pepperId);
        const sent = { ...notification, state: 'SENT' as const, pepperNotificationId: pepperId };
        logEvent(this.logger, 'notification_sent', { key: input.key, kind: input.kind, pepperNotificationId: pepperId, pepperUserId: input.pepperUserId, pepperSegmentId: input.pepperSegmentId });
        return { result: 'sent', notification: sent };
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        if (error instanceof WriteInDoubtError || error instanceof WriteUnprovableError) {
          await this.notifications.inDoubt(notification.id, reason);
          logEvent(this.logger, 'notification_in_doubt', { key: input.key, reason }, 'warn');
          return { result: 'in-doubt', notification: { ...notification, state: 'IN_DOUBT', error: reason }, reason };
        }
        await this.notifications.failed(notification.id, reason);
        throw error;
      }
    });
  }

  /** The receipt of a notification with this content sent to the user since the first attempt, not another send's. */
  private async findInReceipts(key: string, userId: string, body: PepperNotificationWrite): Promise<string | null> {
    const attempts = await this.writeLog.attemptsFor(key);
    const since = attempts.length > 0 ? new Date(attempts[0].sentAt).getTime() - RECEIPT_SKEW_MS : 0;
    for await (const page of this.pepper.userNotificationReceiptsPages(userId)) {
      for (const receipt of page.items) {
        if (receipt.createdAt !== null && Date.parse(receipt.createdAt) < since) continue;
        if (await this.notifications.isRecorded(receipt.notificationId)) continue;
        const sent = await this.pepper.getNotification(receipt.notificationId);
        if (sent.message === body.message && (sent.title ?? null) === (body.title ?? null)) return sent.id;
      }
    }
    return null;
  }

  private async contactIdByCode(code: string): Promise<string | null> {
    const contacts = await this.crm.findContacts({ code });
    return contacts.length === 1 ? contacts[0].id : null;
  }

  private notSent(eventId: string, reason: string): SendOutcome {
    logEvent(this.logger, 'notification_not_sent', { eventId, reason }, 'warn');
    return { result: 'not-sent', reason };
  }
}
