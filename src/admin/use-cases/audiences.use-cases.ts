import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { HttpStatus } from '@nestjs/common';
import { parseSegmentSource } from '../../config/load-config';
import { NotificationSender } from '../../notifications/notification-sender';
import type { NotificationEntity, SegmentMirrorEntity } from '../../persistence/entities';
import { NotificationStore } from '../../persistence/stores/notification.store';
import { SegmentMirrorStore } from '../../persistence/stores/segment-mirror.store';
import type { CampaignDto, NotificationsQueryDto, PutSegmentDto } from '../dto/audiences.dto';

export const presentSegment = (m: SegmentMirrorEntity) => {
  const run = m.lastRun;
  return {
    source: m.source,
    kind: m.kind,
    externalId: m.externalId,
    name: m.name,
    title: `CRM: ${m.name}`,
    origin: m.origin,
    enabled: m.enabled,
    pepperSegmentId: m.pepperSegmentId,
    crm: run ? { members: run.crmMembers, linked: run.linked, unlinked: run.unlinked } : null,
    pepper: run ? { members: run.state === 'APPLIED' ? run.pepperMembers + run.added - run.removed : run.pepperMembers } : null,
    lastRun: run,
  };
};

export const presentNotification = (n: NotificationEntity) => ({
  id: n.id,
  key: n.key,
  kind: n.kind,
  state: n.state,
  pepperNotificationId: n.pepperNotificationId,
  status: n.pepperStatus ?? n.state,
  sent: n.sent,
  failures: n.failures,
  skipped: n.skipped,
  pepperUserId: n.pepperUserId,
  crmContactId: n.crmContactId,
  pepperSegmentId: n.pepperSegmentId,
  source: n.source,
  title: n.title,
  isProcessingMessage: n.isProcessingMessage,
  error: n.error,
  actor: n.actor,
  createdAt: n.createdAt,
  updatedAt: n.updatedAt,
});

@Injectable()
export class SegmentsUseCases {
  constructor(private readonly mirrors: SegmentMirrorStore) {}

  async list() {
    return { items: (await this.mirrors.list()).map(presentSegment), nextCursor: null };
  }

  async put(source: string, body: PutSegmentDto) {
    const parsed = parseSegmentSource(`${source}=${body.name}`);
    if (!parsed) throw new BadRequestException('source must be segment:<id>, tier:<id> or tag:<id> (ids of letters, digits or _.@+-)');
    const mirror = await this.mirrors.upsert({ ...parsed, enabled: body.enabled ?? true }, 'admin');
    return presentSegment(mirror);
  }
}

@Injectable()
export class NotificationsUseCases {
  constructor(
    private readonly sender: NotificationSender,
    private readonly notifications: NotificationStore,
  ) {}

  async list(q: NotificationsQueryDto) {
    const page = await this.notifications.list(q, q.limit ?? 100, q.cursor ?? null);
    return { items: page.items.map(presentNotification), nextCursor: page.nextCursor };
  }

  /** 201 sent; 202 in doubt (never resent: settle it with /admin/writes); 404 not a mirrored segment. */
  async campaign(body: CampaignDto): Promise<{ status: number; body: unknown }> {
    const outcome = await this.sender.sendCampaign({
      segment: body.segment,
      title: body.title ?? null,
      message: body.message,
      isProcessingMessage: body.isProcessingMessage,
      actor: body.actor,
    });
    switch (outcome.result) {
      case 'not-sent':
        throw new NotFoundException(outcome.reason);
      case 'in-doubt':
        return { status: HttpStatus.ACCEPTED, body: { ...presentNotification(outcome.notification), reason: outcome.reason } };
      case 'sent':
      case 'duplicate':
        return { status: HttpStatus.CREATED, body: presentNotification(outcome.notification) };
    }
  }
}
