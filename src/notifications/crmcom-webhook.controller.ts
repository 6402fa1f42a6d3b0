import { BadRequestException, Controller, Headers, HttpCode, Inject, NotFoundException, Post, RawBodyRequest, Req, Res, UnauthorizedException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { NotificationSender } from './notification-sender';
import { webhookAuthentic } from './webhook-auth';
import { readWebhookPayload } from './webhook-payload';

/**
 * CRM.COM automations' "call a webhook" action (design §9), authenticated by CRMCOM_WEBHOOK_SECRET, not the admin
 * token. 200 sent (or a redelivery: nothing sent again), 202 accepted but nothing sent (unknown contact, unlinked
 * user, a send in doubt), 400 naming what is missing, 401 unauthentic, 404 when webhooks are off.
 */
@Controller('webhooks/crmcom')
export class CrmComWebhookController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sender: NotificationSender,
  ) {}

  @Post('notifications')
  @HttpCode(200)
  async notifications(
    @Req() req: RawBodyRequest<Request>,
    @Res({ passthrough: true }) res: Response,
    @Headers('x-signature') signature: string | undefined,
    @Headers('authorization') authorization: string | undefined,
  ) {
    const secret = this.config.audiences.webhookSecret;
    if (secret === null) throw new NotFoundException('webhooks are off (CRMCOM_WEBHOOK_SECRET is not set)');
    if (!webhookAuthentic(secret, req.rawBody, signature, authorization)) throw new UnauthorizedException('bad or missing webhook signature');
    const payload = readWebhookPayload(req.body, this.config.audiences.webhookFields);
    if (!payload.ok) throw new BadRequestException(payload.problems);
    const outcome = await this.sender.sendTransactional(payload.notification);
    const eventId = payload.notification.eventId;
    switch (outcome.result) {
      case 'sent':
      case 'duplicate':
        return { eventId, result: outcome.result, pepperNotificationId: outcome.notification.pepperNotificationId };
      case 'in-doubt':
        res.status(202);
        return { eventId, result: outcome.result, reason: outcome.reason };
      case 'not-sent':
        res.status(202);
        return { eventId, result: outcome.result, reason: outcome.reason };
    }
  }
}
