import { BadRequestException, INestApplication, LogLevel, ValidationError, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule, AppOverrides } from './app.module';
import { AppConfig } from './config/app-config';
import { prepareDatabaseFile } from './persistence/data-source-options';

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

/** Builds the connector (not yet listening): database file, validation, body limit, shutdown hooks. */
export async function createApp(
  config: AppConfig,
  overrides: AppOverrides = {},
  logger: LogLevel[] | false = LEVELS[config.logLevel],
): Promise<INestApplication> {
  prepareDatabaseFile(config);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, overrides), {
    logger,
    bodyParser: false,
  });
  app.useBodyParser('json', { limit: MAX_BODY });
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) => new BadRequestException(flatten(errors)),
    }),
  );
  app.enableShutdownHooks();
  return app;
}
