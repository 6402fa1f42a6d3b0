/** Small readers for validating upstream JSON at the edge. They throw ShapeError naming the field at fault. */

export type JsonRecord = Record<string, unknown>;

export class ShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asRecord(value: unknown, what: string): JsonRecord {
  if (!isRecord(value)) throw new ShapeError(`${what} is not an object`);
  return value;
}

function isAbsent(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}

export function requiredString(record: JsonRecord, field: string): string {
  const value = record[field];
  if (typeof value !== 'string' || value === '') throw new ShapeError(`"${field}" must be a non-empty string`);
  return value;
}

export function optionalString(record: JsonRecord, field: string): string | null {
  const value = record[field];
  if (isAbsent(value)) return null;
  if (typeof value !== 'string') throw new ShapeError(`"${field}" must be a string when present`);
  return value;
}

export function booleanOr(record: JsonRecord, field: string, fallback: boolean): boolean {
  const value = record[field];
  if (isAbsent(value)) return fallback;
  if (typeof value !== 'boolean') throw new ShapeError(`"${field}" must be a boolean when present`);
  return value;
}

export function requiredBoolean(record: JsonRecord, field: string): boolean {
  const value = record[field];
  if (typeof value !== 'boolean') throw new ShapeError(`"${field}" must be a boolean`);
  return value;
}

export function requiredNonNegativeInteger(record: JsonRecord, field: string): number {
  const value = record[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ShapeError(`"${field}" must be a non-negative integer`);
  }
  return value;
}

export function optionalInteger(record: JsonRecord, field: string): number | null {
  const value = record[field];
  if (isAbsent(value)) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new ShapeError(`"${field}" must be an integer when present`);
  }
  return value;
}

export function optionalRecord(record: JsonRecord, field: string): JsonRecord | null {
  const value = record[field];
  if (isAbsent(value)) return null;
  if (!isRecord(value)) throw new ShapeError(`"${field}" must be an object when present`);
  return value;
}

export function arrayOr(record: JsonRecord, field: string, fallback: unknown[]): unknown[] {
  const value = record[field];
  if (isAbsent(value)) return fallback;
  if (!Array.isArray(value)) throw new ShapeError(`"${field}" must be an array when present`);
  return value;
}

/** The id of a raw item when one is readable, for reporting items that failed validation. */
export function readableId(raw: unknown, fields: readonly string[]): string | null {
  if (!isRecord(raw)) return null;
  for (const field of fields) {
    const value = raw[field];
    if (typeof value === 'string' && value !== '') return value;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  }
  return null;
}

/** Runs a field reader under a prefix, so nested errors read like `"credentials[1]": "provider" must be …`. */
export function within<T>(prefix: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof ShapeError) throw new ShapeError(`"${prefix}": ${err.message}`);
    throw err;
  }
}
