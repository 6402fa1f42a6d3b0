import { Logger } from '@nestjs/common';

export type LogEventLevel = 'log' | 'warn' | 'error';
export type LogEventListener = (event: string, fields: Record<string, unknown>, level: LogEventLevel) => void;

const listeners = new Set<LogEventListener>();

/**
 * One log line per thing an operator reviews (conflicts, parked events, run summaries, alerts, admin actions), with a
 * stable `event` name and the ids as fields, so the log can be searched by `event` (jq, a log platform) instead of
 * parsed from prose. Written through Nest's logger, which is pino in the app: one JSON object per line.
 * Listeners (metrics, alerts) see every event too.
 */
export function logEvent(logger: Logger, event: string, fields: Record<string, unknown>, level: LogEventLevel = 'log'): void {
  logger[level]({ msg: event, event, ...fields });
  for (const listener of listeners) {
    try {
      listener(event, fields, level);
    } catch {
      // A listener's failure never stops the flow that logged.
    }
  }
}

/** Subscribes to every structured event; returns the unsubscribe. */
export function onLogEvent(listener: LogEventListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
