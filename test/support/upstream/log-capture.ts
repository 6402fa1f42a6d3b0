import { Logger } from '@nestjs/common';

const LOG_METHODS = ['log', 'error', 'warn', 'debug', 'verbose', 'fatal'] as const;
type LogMethod = (typeof LOG_METHODS)[number];

/** Silences Nest loggers and keeps every line they were asked to write, for asserting on log content. */
export function captureLogs(): { lines: () => string[]; restore: () => void } {
  const captured: string[] = [];
  const originals = new Map<LogMethod, Logger[LogMethod]>();
  for (const method of LOG_METHODS) {
    originals.set(method, Logger.prototype[method]);
    Logger.prototype[method] = function capture(...args: unknown[]): void {
      captured.push(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
    };
  }
  return {
    lines: () => [...captured],
    restore: () => {
      for (const [method, original] of originals) Logger.prototype[method] = original;
    },
  };
}
