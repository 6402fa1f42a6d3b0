import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from './openapi';
import { Body, Controller, Get, Param, Post, Put, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { AdminTokenGuard } from './admin-token.guard';
import { CampaignDto, NotificationsQueryDto, PutSegmentDto } from './dto/audiences.dto';
import { NotificationsUseCases, SegmentsUseCases } from './use-cases/audiences.use-cases';

/** Segments mirrored from CRM.COM and app notifications (design §9). */
@Controller('admin')
@UseGuards(AdminTokenGuard)
@ApiBearerAuth()
@ApiTags('segments and notifications')
export class AudiencesController {
  constructor(
    private readonly segments: SegmentsUseCases,
    private readonly notifications: NotificationsUseCases,
  ) {}

  @Get('segments')
  @ApiErrors(401)
  listSegments() {
    return this.segments.list();
  }

  @Put('segments/:source')
  @ApiErrors(400, 401)
  putSegment(@Param('source') source: string, @Body() body: PutSegmentDto) {
    return this.segments.put(source, body);
  }

  @Get('notifications')
  @ApiErrors(400, 401)
  listNotifications(@Query() query: NotificationsQueryDto) {
    return this.notifications.list(query);
  }

  @Post('notifications')
  @ApiErrors(400, 401, 404)
  async campaign(@Body() body: CampaignDto, @Res({ passthrough: true }) res: Response) {
    const answer = await this.notifications.campaign(body);
    res.status(answer.status);
    return answer.body;
  }
}
