import { Logger } from '@nestjs/common';

/**
 * One JSON line per thing an operator reviews (conflicts, parked events, run summaries), so the log can be
 * searched by `event` and fields instead of parsed from prose.
 */
export function logEvent(
  logger: Logger,
  event: string,
  fields: Record<string, unknown>,
  level: 'log' | 'warn' | 'error' = 'log',
): void {
  logger[level](JSON.stringify({ event, ...fields }));
}
