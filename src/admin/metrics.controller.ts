import { CanActivate, Controller, ExecutionContext, Get, Inject, Injectable, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { Metrics } from '../observability/metrics';
import { AdminTokenGuard } from './admin-token.guard';

/** GET /metrics needs the admin token unless METRICS_PUBLIC=true (a scraper on a private network). */
@Injectable()
export class MetricsAccessGuard implements CanActivate {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly adminToken: AdminTokenGuard,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    return this.config.ops.metricsPublic || this.adminToken.canActivate(context);
  }
}

@Controller('metrics')
@UseGuards(MetricsAccessGuard)
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get()
  async scrape(@Res() res: Response): Promise<void> {
    const { contentType, body } = await this.metrics.text();
    res.type(contentType).send(body);
  }
}
