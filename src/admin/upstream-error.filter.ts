import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { UpstreamError } from '../upstream/upstream-error';

/** An admin action that needed Pepper or CRM.COM and could not get an answer is a 502, with the reason (never secrets). */
@Catch(UpstreamError)
export class UpstreamErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('AdminApi');

  catch(error: UpstreamError, host: ArgumentsHost): void {
    this.logger.warn(`admin call failed upstream: ${error.message}`);
    host.switchToHttp().getResponse<Response>().status(502).json({
      statusCode: 502,
      error: 'Bad Gateway',
      message: `${error.upstream} ${error.code}: ${error.message}`,
    });
  }
}
