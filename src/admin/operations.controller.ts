import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from './openapi';
import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { AlertCenter } from '../operations/alerts/alert-center';
import { AuditTrail } from '../operations/audit/audit-trail';
import { AdminTokenGuard } from './admin-token.guard';
import { AlertsQueryDto } from './dto/alerts-query.dto';
import { AuditQueryDto } from './dto/audit-query.dto';

/** The operations side of the admin API: the audit trail and the alerts. */
@Controller('admin')
@UseGuards(AdminTokenGuard)
@ApiBearerAuth()
@ApiTags('operations')
export class OperationsController {
  constructor(
    private readonly audit: AuditTrail,
    private readonly alerts: AlertCenter,
  ) {}

  /** Admin calls that changed data, oldest first: `{id, at, actor, action, target, params, before, after, result, status, error, requestId}`. */
  @Get('audit')
  @ApiErrors(400, 401)
  async auditTrail(@Query() query: AuditQueryDto) {
    const page = await this.audit.list({ actor: query.actor }, query.limit ?? 100, query.cursor ?? null);
    return { items: page.items, nextCursor: page.nextCursor };
  }

  /** Alerts raised, oldest first: `{id, key, kind, severity, text, fields, state, attempts, nextAttemptAt, lastError, occurrences, …}`. */
  @Get('alerts')
  @ApiErrors(400, 401)
  async alertList(@Query() query: AlertsQueryDto) {
    const page = await this.alerts.list({ state: query.state, kind: query.kind }, query.limit ?? 100, query.cursor ?? null);
    return { items: page.items, nextCursor: page.nextCursor };
  }
}
