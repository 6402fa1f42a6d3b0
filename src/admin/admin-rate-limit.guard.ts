import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Request } from 'express';

/**
 * ADMIN_RATE_LIMIT_PER_MINUTE requests per client address across all of /admin/* (429 with Retry-After beyond). It runs
 * before the token check, so guessing tokens is limited too. Other routes (/health, /metrics, webhooks) are not limited.
 */
@Injectable()
export class AdminRateLimitGuard extends ThrottlerGuard {
  protected shouldSkip(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return Promise.resolve(true);
    const path = context.switchToHttp().getRequest<Request>().path;
    return Promise.resolve(path !== '/admin' && !path.startsWith('/admin/'));
  }

  /** One budget per address for the whole admin API (the default is one per route). */
  protected generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `admin:${name}:${tracker}`;
  }
}
