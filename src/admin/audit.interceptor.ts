import { CallHandler, ExecutionContext, HttpException, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { from, lastValueFrom, Observable } from 'rxjs';
import { AuditTrail } from '../operations/audit/audit-trail';
import { ConflictStore } from '../persistence/stores/conflict.store';
import { EventStore } from '../persistence/stores/event.store';
import { WriteLog } from '../persistence/stores/write-log.store';
import { presentConflict, presentFailedEvent, presentWrite } from './presenters';

/**
 * Every admin call that changes data (POST under /admin: resyncs, resolutions, retries, bulk retries, settlements) writes
 * an audit row and an `admin_action` line: who (`actor`, or "unnamed"), what, the row before and the answer after, the
 * result. A refused call (4xx/5xx) is recorded too.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly audit: AuditTrail,
    private readonly conflicts: ConflictStore,
    private readonly events: EventStore,
    private readonly writes: WriteLog,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<Request>();
    if (req.method === 'GET' || !req.path.startsWith('/admin/')) return next.handle();
    return from(this.audited(context, req, next));
  }

  private async audited(context: ExecutionContext, req: Request, next: CallHandler): Promise<unknown> {
    const route = (req.route as { path?: string } | undefined)?.path ?? req.path;
    const target = Object.keys(req.params ?? {}).length > 0 ? { ...(req.params as Record<string, string>) } : null;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const actor = typeof body.actor === 'string' && body.actor.trim() !== '' ? body.actor : 'unnamed';
    const base = { actor, action: `${req.method} ${route}`, target, params: body, requestId: (req as { id?: unknown }).id?.toString() ?? null };
    const before = await this.before(route, target).catch(() => null);
    try {
      const answer = await lastValueFrom(next.handle(), { defaultValue: undefined });
      const status = context.switchToHttp().getResponse<Response>().statusCode;
      await this.audit.record({ ...base, before, after: answer ?? null, result: 'ok', status, error: null });
      return answer;
    } catch (error) {
      const status = error instanceof HttpException ? error.getStatus() : 500;
      const message = error instanceof Error ? error.message : String(error);
      await this.audit.record({ ...base, before, after: null, result: 'error', status, error: message.slice(0, 500) }).catch(() => undefined);
      throw error;
    }
  }

  /** The row the call is about, as the admin API shows it, before the change. */
  private async before(route: string, target: Record<string, string> | null): Promise<unknown> {
    const id = target?.id !== undefined ? Number(target.id) : NaN;
    if (!Number.isInteger(id)) return null;
    if (route.startsWith('/admin/conflicts/')) {
      const conflict = await this.conflicts.get(id);
      return conflict ? presentConflict(conflict) : null;
    }
    if (route.startsWith('/admin/failed-events/')) {
      const event = await this.events.get(id);
      return event ? presentFailedEvent(event) : null;
    }
    if (route.startsWith('/admin/writes/')) {
      const write = await this.writes.get(id);
      return write ? presentWrite(write) : null;
    }
    return null;
  }
}
