import { errorDetailsOf, failureMessage, HttpFailure, safeUpstreamText } from '../upstream/http-failure';
import { isRecord } from '../upstream/json-shape';
import { UpstreamError, UpstreamErrorDetails } from '../upstream/upstream-error';

export class PepperError extends UpstreamError {
  readonly upstream = 'pepper' as const;
  /** `code` from Pepper's error body `{code, message}`, e.g. "Validation". */
  readonly upstreamCode: string | null;

  constructor(message: string, details: UpstreamErrorDetails, upstreamCode: string | null = null) {
    super(message, details);
    this.upstreamCode = upstreamCode;
  }

  toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), upstreamCode: this.upstreamCode };
  }
}

export function pepperErrorFromFailure(
  failure: HttpFailure,
  secrets: ReadonlyArray<string | null | undefined>,
): PepperError {
  const body = failure.kind === 'status' ? failure.body : null;
  let upstreamCode: string | null = null;
  let detail: string | null = null;
  if (isRecord(body)) {
    upstreamCode = typeof body.code === 'string' ? safeUpstreamText(body.code, secrets) : null;
    const message = typeof body.message === 'string' ? body.message : null;
    detail = [upstreamCode, message].filter((part) => part).join(': ') || null;
  } else if (typeof body === 'string') {
    detail = body;
  }
  return new PepperError(failureMessage('Pepper', failure, detail, secrets), errorDetailsOf(failure), upstreamCode);
}
