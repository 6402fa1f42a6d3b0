import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { FindOptionsWhere, In, IsNull, Not, Repository } from 'typeorm';
import { NotificationEntity, NotificationKind } from '../entities';
import { isUniqueViolation } from '../constraint-violation';
import { ListPage, pageById } from './page';
import { NO_TRANSACTION } from './no-transaction';

export type NewNotification = Pick<
  NotificationEntity,
  'key' | 'kind' | 'pepperUserId' | 'crmContactId' | 'pepperSegmentId' | 'source' | 'title' | 'message' | 'isProcessingMessage' | 'actor'
>;

export interface NotificationStatus {
  status: string;
  sent: number | null;
  failures: number | null;
  skipped: number | null;
}

/** The app notifications sent through Pepper: stored (by idempotency key) before they are sent. */
@Injectable()
export class NotificationStore {
  constructor(@InjectRepository(NotificationEntity) private readonly repo: Repository<NotificationEntity>) {}

  /** Stores the notification before its send; `created: false` hands back the one already stored under the key. */
  async record(input: NewNotification): Promise<{ notification: NotificationEntity; created: boolean }> {
    try {
      const notification = await this.repo.save(
        this.repo.create({ ...input, state: 'SENDING', pepperNotificationId: null, pepperStatus: null, sent: null, failures: null, skipped: null, error: null }),
        NO_TRANSACTION,
      );
      return { notification, created: true };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return { notification: await this.repo.findOneByOrFail({ key: input.key }), created: false };
    }
  }

  findByKey(key: string): Promise<NotificationEntity | null> {
    return this.repo.findOneBy({ key });
  }

  /** Whether a Pepper notification is already recorded as one of the connector's sends. */
  async isRecorded(pepperNotificationId: string): Promise<boolean> {
    return (await this.repo.countBy({ pepperNotificationId })) > 0;
  }

  async sent(id: number, pepperNotificationId: string | null): Promise<void> {
    await this.repo.update({ id }, { state: 'SENT', pepperNotificationId, error: null });
  }

  async inDoubt(id: number, error: string): Promise<void> {
    await this.repo.update({ id }, { state: 'IN_DOUBT', error: error.slice(0, 1000) });
  }

  async failed(id: number, error: string): Promise<void> {
    await this.repo.update({ id }, { state: 'FAILED', error: error.slice(0, 1000) });
  }

  async recordStatus(id: number, status: NotificationStatus): Promise<void> {
    await this.repo.update({ id }, { pepperStatus: status.status, sent: status.sent, failures: status.failures, skipped: status.skipped });
  }

  /** Sent notifications whose Pepper delivery has not reached a terminal status yet. */
  awaitingStatus(terminal: readonly string[], limit = 200): Promise<NotificationEntity[]> {
    return this.repo.find({
      where: [
        { state: 'SENT', pepperNotificationId: Not(IsNull()), pepperStatus: IsNull() },
        { state: 'SENT', pepperNotificationId: Not(IsNull()), pepperStatus: Not(In([...terminal])) },
      ],
      order: { id: 'ASC' },
      take: limit,
    });
  }

  list(filter: { kind?: NotificationKind; state?: string }, limit: number, cursor: string | null): Promise<ListPage<NotificationEntity>> {
    const where: FindOptionsWhere<NotificationEntity> = {};
    if (filter.kind) where.kind = filter.kind;
    if (filter.state) where.state = filter.state as NotificationEntity['state'];
    return pageById(this.repo, where, limit, cursor);
  }
}
