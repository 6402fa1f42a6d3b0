import { BadRequestException, INestApplication, LogLevel, ValidationError, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { AppModule, AppOverrides } from './app.module';
import { AppConfig } from './config/app-config';
import { setupOpenApi } from './admin/openapi';
import { prepareDatabaseFile } from './persistence/data-source-options';
import { configureRootLogger, createNestLogger, pinoLevelOf } from './observability/logging/root-logger';

const LEVELS: Record<AppConfig['logLevel'], LogLevel[]> = {
  debug: ['debug', 'log', 'warn', 'error', 'fatal'],
  info: ['log', 'warn', 'error', 'fatal'],
  warn: ['warn', 'error', 'fatal'],
  error: ['error', 'fatal'],
};

const MAX_BODY = '32kb';

function flatten(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) => (m.startsWith(e.property) ? `${path}${m.slice(e.property.length)}` : `${path}: ${m}`));
    return [...own, ...flatten(e.children ?? [], path)];
  });
}

/**
 * Builds the connector (not yet listening): JSON logs (pino), database file, validation, body limit, security headers,
 * shutdown hooks. `logger` picks the levels shown (false: none).
 */
export async function createApp(
  config: AppConfig,
  overrides: AppOverrides = {},
  logger: LogLevel[] | false = LEVELS[config.logLevel],
): Promise<INestApplication> {
  prepareDatabaseFile(config);
  const root = configureRootLogger({
    applicationId: config.pepper.applicationId,
    format: config.ops.logFormat,
    level: pinoLevelOf(logger),
    secrets: [config.pepper.authToken, config.crmcom.apiKey, config.crmcom.password, config.adminApiToken, config.ops.alertWebhookUrl],
  });
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, overrides, root), {
    logger: logger === false ? false : createNestLogger(root),
    bodyParser: false,
    // the CRM.COM webhook's HMAC signature is over the raw body (req.rawBody)
    rawBody: true,
  });
  app.disable('x-powered-by');
  app.use(helmet());
  app.useBodyParser('json', { limit: MAX_BODY });
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) => new BadRequestException(flatten(errors)),
    }),
  );
  setupOpenApi(app);
  app.enableShutdownHooks();
  return app;
}
