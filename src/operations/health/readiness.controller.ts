import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { FeedHealth } from '../../observability/feed-health';
import { Metrics } from '../../observability/metrics';

/**
 * `GET /health/live`: the process answers (restart it when this fails). `GET /health/ready`: it can do its work: the
 * database answers, every migration is applied, no feed is stalled past ALERT_FEED_STALL_MINUTES, and both upstreams
 * accepted the credentials last time. `GET /health` keeps its meaning (the database answers).
 */
@Controller('health')
export class ReadinessController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly dataSource: DataSource,
    private readonly feeds: FeedHealth,
    private readonly metrics: Metrics,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([() => this.indicators.check('process').up({ uptimeSeconds: Math.round(process.uptime()) })]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.database(), () => this.migrations(), () => this.feedsMoving(), () => this.credentials()]);
  }

  private async database(): Promise<HealthIndicatorResult> {
    const check = this.indicators.check('database');
    try {
      await this.dataSource.query('SELECT 1');
      return check.up();
    } catch {
      return check.down({ message: 'the database is not answering' });
    }
  }

  private async migrations(): Promise<HealthIndicatorResult> {
    const check = this.indicators.check('migrations');
    try {
      return (await this.dataSource.showMigrations()) ? check.down({ message: 'migrations are pending' }) : check.up();
    } catch {
      return check.down({ message: 'the migrations could not be read' });
    }
  }

  private async feedsMoving(): Promise<HealthIndicatorResult> {
    const check = this.indicators.check('feeds');
    const reports = await this.feeds.report();
    const details = Object.fromEntries(reports.map((r) => [r.feed, { lagSeconds: r.lagSeconds, stalled: r.stalled, lastError: r.lastError }]));
    const stalled = reports.filter((r) => r.stalled).map((r) => r.feed);
    return stalled.length > 0 ? check.down({ message: `stalled: ${stalled.join(', ')}`, ...details }) : check.up(details);
  }

  private credentials(): HealthIndicatorResult {
    const check = this.indicators.check('credentials');
    const pepper = this.metrics.credentialsOf('pepper');
    const crmcom = this.metrics.credentialsOf('crmcom');
    const details = { pepper, crmcom };
    const rejected = [pepper.accepted ? null : 'pepper', crmcom.accepted ? null : 'crmcom'].filter(Boolean);
    return rejected.length > 0 ? check.down({ message: `credentials rejected by ${rejected.join(', ')}`, ...details }) : check.up(details);
  }
}
