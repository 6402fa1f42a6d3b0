import { invalidValue } from './crmcom-errors';
import { wireAmountToMinor } from './money';

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a JSON request body field by field; every refusal is a 400 that names the field (dotted when nested). */
export class BodyReader {
  private constructor(
    private readonly body: JsonObject,
    private readonly prefix: string,
  ) {}

  static of(body: unknown): BodyReader {
    if (body === undefined) return new BodyReader({}, '');
    if (!isObject(body)) throw invalidValue('body', 'The request body must be a JSON object');
    return new BodyReader(body, '');
  }

  field(name: string): string {
    return this.prefix + name;
  }

  has(name: string): boolean {
    return this.body[name] !== undefined;
  }

  requiredString(name: string): string {
    const value = this.body[name];
    if (typeof value !== 'string' || value.trim() === '') throw invalidValue(this.field(name), `${this.field(name)} is required`);
    return value;
  }

  /** undefined when absent, null when sent as null. */
  optionalString(name: string): string | null | undefined {
    const value = this.body[name];
    if (value === undefined || value === null) return value;
    if (typeof value !== 'string') throw invalidValue(this.field(name), `${this.field(name)} must be a string`);
    return value;
  }

  optionalBoolean(name: string): boolean | undefined {
    const value = this.body[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') throw invalidValue(this.field(name), `${this.field(name)} must be true or false`);
    return value;
  }

  requiredEnum<T extends string>(name: string, allowed: readonly T[]): T {
    const value = this.body[name];
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      throw invalidValue(this.field(name), `${this.field(name)} must be one of ${allowed.join(', ')}`);
    }
    return value as T;
  }

  /** A non-negative JSON number with at most two decimals, in minor units. */
  requiredAmount(name: string): number {
    if (this.body[name] === undefined) throw invalidValue(this.field(name), `${this.field(name)} is required`);
    return this.amount(name);
  }

  optionalAmount(name: string): number | undefined {
    if (this.body[name] === undefined || this.body[name] === null) return undefined;
    return this.amount(name);
  }

  optionalNonNegativeInteger(name: string): number | undefined {
    const value = this.body[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw invalidValue(this.field(name), `${this.field(name)} must be epoch seconds`);
    }
    return value;
  }

  requiredObject(name: string): BodyReader {
    const value = this.body[name];
    if (!isObject(value)) throw invalidValue(this.field(name), `${this.field(name)} is required`);
    return new BodyReader(value, `${this.field(name)}.`);
  }

  /** undefined when absent, null when sent as null. */
  optionalObject(name: string): BodyReader | null | undefined {
    const value = this.body[name];
    if (value === undefined || value === null) return value;
    return this.requiredObject(name);
  }

  optionalArray(name: string): BodyReader[] | undefined {
    const value = this.body[name];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) throw invalidValue(this.field(name), `${this.field(name)} must be an array`);
    return value.map((item, index) => {
      const field = `${this.field(name)}[${index}]`;
      if (!isObject(item)) throw invalidValue(field, `${field} must be an object`);
      return new BodyReader(item, `${field}.`);
    });
  }

  private amount(name: string): number {
    const value = this.body[name];
    const minor = wireAmountToMinor(value);
    if (minor === undefined) {
      throw invalidValue(
        this.field(name),
        `${this.field(name)} must be a non-negative number with at most two decimals`,
      );
    }
    return minor;
  }
}
