import { Injectable, Logger, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

const REDACTED_HEADERS = ['authorization', 'api_key', 'x-api-key', 'cookie'];

/** What a request log line may show of the headers: everything but credentials. */
export function redactHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, REDACTED_HEADERS.includes(k.toLowerCase()) ? '[redacted]' : v]));
}

/** One debug line per admin API request: method, path (no query), status, time; credentials redacted. */
@Injectable()
export class RequestLoggerMiddleware implements NestMiddleware {
  private readonly logger = new Logger('Http');

  use(req: Request, res: Response, next: NextFunction): void {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      this.logger.debug(
        JSON.stringify({ event: 'http_request', method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms), headers: redactHeaders(req.headers) }),
      );
    });
    next();
  }
}
