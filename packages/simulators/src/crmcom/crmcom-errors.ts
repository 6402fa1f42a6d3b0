import type { Response } from 'express';

export const CrmExceptionCode = {
  unauthorized: 'CRM.EXCEPTIONS.UNAUTHORIZEDEXCEPTION',
  notFound: 'CRM.EXCEPTIONS.NOTFOUNDEXCEPTION',
  invalidValue: 'CRM.EXCEPTIONS.INVALIDVALUEEXCEPTION',
  alreadyExists: 'CRM.EXCEPTIONS.ALREADYEXISTSEXCEPTION',
  walletBalanceNotEnough: 'CRM.EXCEPTIONS.CANNOTSPENDAMOUNTWALLETBALANCENOTENOUGHEXCEPTION',
} as const;

/** The error body CRM.COM answers with: `{status, message, error, parameters}`. */
export interface CrmErrorBody {
  status: number;
  message: string | null;
  error: string | null;
  parameters: string[] | null;
}

/** Thrown by the store and the routes; the error middleware turns it into a CRM.COM error body. */
export class CrmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | null,
    message: string,
    readonly parameters: string[] | null = null,
  ) {
    super(message);
    this.name = 'CrmError';
  }

  toBody(): CrmErrorBody {
    return { status: this.status, message: this.message, error: this.code, parameters: this.parameters };
  }
}

export const invalidValue = (field: string, message: string): CrmError =>
  new CrmError(400, CrmExceptionCode.invalidValue, message, [field]);

export const notFound = (what: string): CrmError => new CrmError(404, CrmExceptionCode.notFound, `${what} not found`);

export const unauthorized = (message: string): CrmError =>
  new CrmError(401, CrmExceptionCode.unauthorized, message);

export function sendCrmError(res: Response, error: CrmError): void {
  res.status(error.status).json(error.toBody());
}
