import { assertNonNegativeInteger, assertPositiveInteger, validationError } from '../pepper-errors';

/** Reads fields of a JSON body that may be anything, answering 422 Validation for a missing or wrong one. */
export class BodyFields {
  private readonly body: Record<string, unknown>;

  constructor(body: unknown) {
    this.body = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  }

  requiredString(field: string): string {
    const value = this.body[field];
    if (typeof value !== 'string' || value === '') throw validationError(`${field} is required`);
    return value;
  }

  optionalString(field: string): string | undefined {
    const value = this.body[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw validationError(`${field} must be a string`);
    return value;
  }

  positiveInteger(field: string): number {
    const value = this.body[field];
    assertPositiveInteger(value, field);
    return value;
  }

  /** `points.available` style nested field */
  nonNegativeIntegerAt(parent: string, field: string): number {
    const container = this.body[parent];
    const value = typeof container === 'object' && container !== null ? (container as Record<string, unknown>)[field] : undefined;
    assertNonNegativeInteger(value, `${parent}.${field}`);
    return value;
  }
}
