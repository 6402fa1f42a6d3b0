/** An error the simulator answers as `{code, message}` with `status`; programmatic calls throw it too. */
export class PepperApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PepperApiError';
  }

  toBody(): { code: string; message: string } {
    return { code: this.code, message: this.message };
  }
}

export const notFound = (message: string) => new PepperApiError(404, 'NotFound', message);
export const validationError = (message: string) => new PepperApiError(422, 'Validation', message);
export const badRequest = (message: string) => new PepperApiError(400, 'BadRequest', message);
export const unauthorized = (message: string) => new PepperApiError(401, 'Unauthorized', message);

export function assertPositiveInteger(value: unknown, field: string): asserts value is number {
  if (!Number.isSafeInteger(value) || (value as number) <= 0) {
    throw validationError(`${field} must be a positive integer`);
  }
}

export function assertNonNegativeInteger(value: unknown, field: string): asserts value is number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw validationError(`${field} must be a non-negative integer`);
  }
}
