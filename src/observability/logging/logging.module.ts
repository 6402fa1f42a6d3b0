import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type pino from 'pino';
import { requestIdOf } from './root-logger';

/**
 * Binds a child logger carrying `requestId` to every HTTP request (nestjs-pino), so each line written while an admin
 * call is served (and by the work it starts) names it. Requests themselves are logged by the admin request logger.
 */
@Module({})
export class LoggingModule {
  static forRoot(logger: pino.Logger): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: { logger, autoLogging: false, quietReqLogger: true, customAttributeKeys: { reqId: 'requestId' }, genReqId: requestIdOf },
          forRoutes: [{ path: '*path', method: RequestMethod.ALL }],
        }),
      ],
    };
  }
}
