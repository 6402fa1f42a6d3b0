import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LogLevel, LoggerService } from '@nestjs/common';
import { Logger as NestPinoLogger, PinoLogger } from 'nestjs-pino';
import pino from 'pino';
import { prettyFactory } from 'pino-pretty';
import { redactSecrets } from '../../common/redact';

export type LogFormat = 'json' | 'pretty';

export interface LogSettings {
  /** the merchant's Pepper application id, on every line */
  applicationId: string;
  format: LogFormat;
  level: pino.LevelWithSilent;
  /** values blanked out of every line as a last line of defence (call sites redact too) */
  secrets: ReadonlyArray<string | null | undefined>;
}

/** Field paths that hold credentials whatever a call site passes in. */
const REDACT_PATHS = [
  'authorization',
  'headers.authorization',
  'headers.api_key',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.api_key',
  'req.headers.cookie',
  '*.authToken',
  '*.apiKey',
  '*.password',
  '*.token',
];

let settings: LogSettings = { applicationId: '', format: 'json', level: 'info', secrets: [] };
let root: pino.Logger | null = null;
let pretty: ((line: string) => string) | null = null;

function write(line: string): void {
  const safe = redactSecrets(line, settings.secrets);
  // process.stdout is looked up on every line, so a capture of stdout (tests) sees what an operator would.
  process.stdout.write(settings.format === 'pretty' ? (pretty ??= prettyFactory({
    colorize: Boolean(process.stdout.isTTY),
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,applicationId,context,event',
    messageFormat: '[{context}] {msg}',
  }))(safe) : safe);
}

/**
 * The one pino instance of the process: JSON lines on stdout (`time`, `level`, `msg`, `event`, `applicationId`, the ids),
 * or pino-pretty text with LOG_FORMAT=pretty. Several apps in one process (tests) share it; each start updates its
 * settings (level, application id, format, secrets).
 */
export function configureRootLogger(next: LogSettings): pino.Logger {
  settings = next;
  root ??= pino(
    {
      level: next.level,
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => ({ applicationId: settings.applicationId }),
      redact: { paths: REDACT_PATHS, censor: '***' },
    },
    { write },
  );
  root.level = next.level;
  return root;
}

/** Nest's log levels (what createApp is given) as the lowest pino level that shows them all. */
export function pinoLevelOf(levels: LogLevel[] | false): pino.LevelWithSilent {
  if (levels === false || levels.length === 0) return 'silent';
  if (levels.includes('verbose')) return 'trace';
  if (levels.includes('debug')) return 'debug';
  if (levels.includes('log')) return 'info';
  if (levels.includes('warn')) return 'warn';
  if (levels.includes('error')) return 'error';
  return 'fatal';
}

/** Nest's LoggerService over the root pino (nestjs-pino's adapter): every `new Logger(ctx).log(…)` becomes one line. */
export function createNestLogger(logger: pino.Logger): LoggerService {
  return new NestPinoLogger(new PinoLogger({ pinoHttp: { logger } }), {});
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** A caller's `x-request-id` when it is sane, else a fresh one; echoed on the response so a reply can be found in the log. */
export function requestIdOf(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('x-request-id', id);
  return id;
}
