export type UpstreamName = 'pepper' | 'crmcom';

export type UpstreamErrorCode =
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'VALIDATION'
  | 'BAD_REQUEST'
  | 'RATE_LIMITED'
  | 'SERVER_ERROR'
  | 'TIMEOUT'
  | 'NETWORK'
  | 'INVALID_RESPONSE'
  | 'FILTER_IGNORED'
  | 'PAGE_LIMIT';

export interface UpstreamErrorDetails {
  code: UpstreamErrorCode;
  status?: number | null;
  outcomeUnknown?: boolean;
  retryAfterMs?: number | null;
}

/**
 * A failed call to Pepper or CRM.COM. Messages are built by the clients from safe parts only
 * (method, path without query, status, a redacted and truncated upstream message): never headers or axios internals.
 */
export abstract class UpstreamError extends Error {
  abstract readonly upstream: UpstreamName;
  readonly code: UpstreamErrorCode;
  readonly status: number | null;
  /** A write that may or may not have happened (timeout, 5xx, connection lost after sending): read back, never resend blindly. */
  readonly outcomeUnknown: boolean;
  readonly retryAfterMs: number | null;

  protected constructor(message: string, details: UpstreamErrorDetails) {
    super(message);
    this.name = new.target.name;
    this.code = details.code;
    this.status = details.status ?? null;
    this.outcomeUnknown = details.outcomeUnknown ?? false;
    this.retryAfterMs = details.retryAfterMs ?? null;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      upstream: this.upstream,
      code: this.code,
      status: this.status,
      outcomeUnknown: this.outcomeUnknown,
      retryAfterMs: this.retryAfterMs,
      message: this.message,
    };
  }
}

export function isUpstreamError(err: unknown): err is UpstreamError {
  return err instanceof UpstreamError;
}
