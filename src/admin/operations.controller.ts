import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { AuditTrail } from '../operations/audit/audit-trail';
import { AdminTokenGuard } from './admin-token.guard';
import { AuditQueryDto } from './dto/audit-query.dto';

/** The operations side of the admin API: the audit trail. */
@Controller('admin')
@UseGuards(AdminTokenGuard)
export class OperationsController {
  constructor(private readonly audit: AuditTrail) {}

  /** Admin calls that changed data, oldest first: `{id, at, actor, action, target, params, before, after, result, status, error, requestId}`. */
  @Get('audit')
  async auditTrail(@Query() query: AuditQueryDto) {
    const page = await this.audit.list({ actor: query.actor }, query.limit ?? 100, query.cursor ?? null);
    return { items: page.items, nextCursor: page.nextCursor };
  }
}
