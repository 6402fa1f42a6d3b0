import { errorDetailsOf, failureMessage, HttpFailure, safeUpstreamText } from '../upstream/http-failure';
import { isRecord } from '../upstream/json-shape';
import { UpstreamError, UpstreamErrorDetails } from '../upstream/upstream-error';

/** Exception codes CRM.COM puts in the `error` field of its error body. */
export const CRM_EXCEPTIONS = {
  notFound: 'CRM.EXCEPTIONS.NOTFOUNDEXCEPTION',
  walletBalanceNotEnough: 'CRM.EXCEPTIONS.CANNOTSPENDAMOUNTWALLETBALANCENOTENOUGHEXCEPTION',
} as const;

export class CrmComError extends UpstreamError {
  readonly upstream = 'crmcom' as const;
  /** `error` from CRM.COM's error body, e.g. `CRM.EXCEPTIONS.NOTFOUNDEXCEPTION`. */
  readonly crmException: string | null;

  constructor(message: string, details: UpstreamErrorDetails, crmException: string | null = null) {
    super(message, details);
    this.crmException = crmException;
  }

  toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), crmException: this.crmException };
  }
}

/** CRM.COM refused a debit because the wallet holds less than asked. */
export function isWalletBalanceNotEnough(err: unknown): boolean {
  return err instanceof CrmComError && err.crmException === CRM_EXCEPTIONS.walletBalanceNotEnough;
}

/** From the error body `{status, message, error, parameters}`. */
export function crmComErrorFromFailure(
  failure: HttpFailure,
  secrets: ReadonlyArray<string | null | undefined>,
): CrmComError {
  const body = failure.kind === 'status' ? failure.body : null;
  let crmException: string | null = null;
  let detail: string | null = null;
  if (isRecord(body)) {
    crmException = typeof body.error === 'string' ? safeUpstreamText(body.error, secrets) : null;
    const message = typeof body.message === 'string' ? body.message : null;
    detail = [crmException, message].filter((part) => part).join(': ') || null;
  } else if (typeof body === 'string') {
    detail = body;
  }
  return new CrmComError(failureMessage('CRM.COM', failure, detail, secrets), errorDetailsOf(failure), crmException);
}
