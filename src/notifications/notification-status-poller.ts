import { Injectable } from '@nestjs/common';
import type { RunContext } from '../core/job-runner';
import { PepperClient } from '../pepper/pepper.client';
import { NotificationStore } from '../persistence/stores/notification.store';
import { dispositionOf } from '../upstream/error-disposition';

/** Pepper's terminal delivery statuses: `DONE` is the one documented; the others are guesses that stop polling. */
export const TERMINAL_NOTIFICATION_STATUSES = ['DONE', 'FAILED', 'ERROR', 'CANCELLED'] as const;

/** Polls `GET /notifications/:id` for the notifications still being delivered, and records status and counts. */
@Injectable()
export class NotificationStatusPoller {
  constructor(
    private readonly pepper: PepperClient,
    private readonly notifications: NotificationStore,
  ) {}

  async run(ctx: RunContext): Promise<void> {
    for (const notification of await this.notifications.awaitingStatus(TERMINAL_NOTIFICATION_STATUSES)) {
      if (ctx.stopping) return;
      try {
        const status = await this.pepper.getNotification(notification.pepperNotificationId as string);
        await this.notifications.recordStatus(notification.id, status);
        ctx.add(TERMINAL_NOTIFICATION_STATUSES.includes(status.status as never) ? 'completed' : 'pending');
      } catch (error) {
        if (dispositionOf(error) === 'FAIL_RUN') throw error;
        ctx.add('failed');
      }
    }
  }
}
