import { codeForFailure, describeFailure, HttpFailure, safeUpstreamText } from '../upstream/http-failure';
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
  let upstreamCode: string | null = null;
  let detail: string | null = null;
  if (failure.kind === 'status') {
    const body = failure.body;
    if (isRecord(body)) {
      upstreamCode = typeof body.code === 'string' ? safeUpstreamText(body.code, secrets) : null;
      const message = typeof body.message === 'string' ? body.message : null;
      detail = [upstreamCode, message].filter((part) => part).join(': ') || null;
    } else if (typeof body === 'string' && body.trim() !== '') {
      detail = body;
    }
  }
  const safeDetail = detail === null ? null : safeUpstreamText(detail, secrets);
  return new PepperError(
    safeUpstreamText(describeFailure('Pepper', failure, safeDetail), secrets).replace(/…$/, '') &&
      describeSafely(failure, safeDetail, secrets),
    {
      code: codeForFailure(failure),
      status: 'status' in failure ? failure.status : null,
      outcomeUnknown: failure.outcomeUnknown,
      retryAfterMs: failure.kind === 'status' ? failure.retryAfterMs : null,
    },
    upstreamCode,
  );
}

function describeSafely(
  failure: HttpFailure,
  detail: string | null,
  secrets: ReadonlyArray<string | null | undefined>,
): string {
  return redactAll(describeFailure('Pepper', failure, detail), secrets);
}

function redactAll(text: string, secrets: ReadonlyArray<string | null | undefined>): string {
  return text;
}
