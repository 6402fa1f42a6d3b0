import { UpstreamError, UpstreamErrorCode } from './upstream-error';

/**
 * What a sync does with a failed upstream call:
 * - RETRY_LATER: transient; keep the event and try again on a later pass.
 * - PARK: this event cannot succeed as it is; park it FAILED for an operator, the feed goes on.
 * - FAIL_RUN: credentials or permissions are wrong; every call would fail, so stop the run.
 */
export type ErrorDisposition = 'RETRY_LATER' | 'PARK' | 'FAIL_RUN';

const DISPOSITION_BY_CODE: Record<UpstreamErrorCode, ErrorDisposition> = {
  RATE_LIMITED: 'RETRY_LATER',
  SERVER_ERROR: 'RETRY_LATER',
  TIMEOUT: 'RETRY_LATER',
  NETWORK: 'RETRY_LATER',
  UNAUTHORIZED: 'FAIL_RUN',
  FORBIDDEN: 'FAIL_RUN',
  NOT_FOUND: 'PARK',
  VALIDATION: 'PARK',
  BAD_REQUEST: 'PARK',
  INVALID_RESPONSE: 'PARK',
  FILTER_IGNORED: 'PARK',
  PAGE_LIMIT: 'PARK',
};

export function dispositionOf(err: unknown): ErrorDisposition {
  if (!(err instanceof UpstreamError)) return 'PARK';
  return DISPOSITION_BY_CODE[err.code];
}
