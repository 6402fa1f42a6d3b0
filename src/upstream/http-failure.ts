import { redactSecrets } from '../common/redact';
import { UpstreamErrorCode, UpstreamErrorDetails } from './upstream-error';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

interface FailureBase {
  method: HttpMethod;
  /** Path without the query string (queries carry emails and phone numbers). */
  path: string;
  attempts: number;
  outcomeUnknown: boolean;
}

/** Why a call failed, in safe parts only; each client turns it into its own UpstreamError. */
export type HttpFailure =
  | (FailureBase & { kind: 'status'; status: number; body: unknown; retryAfterMs: number | null })
  | (FailureBase & { kind: 'timeout'; timeoutMs: number })
  | (FailureBase & { kind: 'network'; errorCode: string })
  | (FailureBase & { kind: 'invalid-body'; status: number; reason: string });

export function codeForStatus(status: number): UpstreamErrorCode {
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 422) return 'VALIDATION';
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 500) return 'SERVER_ERROR';
  if (status >= 400) return 'BAD_REQUEST';
  return 'INVALID_RESPONSE';
}

export function codeForFailure(failure: HttpFailure): UpstreamErrorCode {
  switch (failure.kind) {
    case 'status':
      return codeForStatus(failure.status);
    case 'timeout':
      return 'TIMEOUT';
    case 'network':
      return 'NETWORK';
    case 'invalid-body':
      return 'INVALID_RESPONSE';
  }
}

export const MAX_UPSTREAM_MESSAGE_LENGTH = 200;

/** An upstream-supplied message made safe to log: secrets removed, then cut to a bounded length. */
export function safeUpstreamText(text: string, secrets: ReadonlyArray<string | null | undefined>): string {
  const clean = redactSecrets(text.replace(/\s+/g, ' ').trim(), secrets);
  return clean.length > MAX_UPSTREAM_MESSAGE_LENGTH ? `${clean.slice(0, MAX_UPSTREAM_MESSAGE_LENGTH)}…` : clean;
}

export function errorDetailsOf(failure: HttpFailure): UpstreamErrorDetails {
  return {
    code: codeForFailure(failure),
    status: failure.kind === 'status' || failure.kind === 'invalid-body' ? failure.status : null,
    outcomeUnknown: failure.outcomeUnknown,
    retryAfterMs: failure.kind === 'status' ? failure.retryAfterMs : null,
  };
}

/**
 * E.g. `Pepper GET /users/abc answered 404 (NotFound: User not found)`. The upstream's own words (`detail`) are
 * cut to a bounded length, and secrets are removed from the whole message.
 */
export function failureMessage(
  label: string,
  failure: HttpFailure,
  detail: string | null,
  secrets: ReadonlyArray<string | null | undefined>,
): string {
  const safeDetail = detail === null || detail.trim() === '' ? null : safeUpstreamText(detail, secrets);
  return redactSecrets(describeFailure(label, failure, safeDetail), secrets);
}

function describeFailure(label: string, failure: HttpFailure, detail: string | null): string {
  const call = `${label} ${failure.method} ${failure.path}`;
  let what: string;
  switch (failure.kind) {
    case 'status':
      what = `answered ${failure.status}${detail ? ` (${detail})` : ''}`;
      break;
    case 'timeout':
      what = `timed out after ${failure.timeoutMs} ms`;
      break;
    case 'network':
      what = `failed with a network error (${failure.errorCode})`;
      break;
    case 'invalid-body':
      what = `answered ${failure.status} with an unreadable body (${failure.reason})`;
      break;
  }
  const tries = failure.attempts > 1 ? ` after ${failure.attempts} attempts` : '';
  const unknown = failure.outcomeUnknown ? '; the write may or may not have happened' : '';
  return `${call} ${what}${tries}${unknown}`;
}
