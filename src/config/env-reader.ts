/**
 * Reads typed values out of an environment map, collecting every problem instead of stopping at the first,
 * so an operator fixes all bad variables in one go. Messages name the variable, never echo secret values.
 */
export class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Record<string, string | undefined>) {}

  private raw(name: string): string | undefined {
    const value = this.env[name];
    if (value === undefined) return undefined;
    const trimmed = value.trim();
    return trimmed === '' ? undefined : trimmed;
  }

  required(name: string, description: string): string {
    const value = this.raw(name);
    if (value === undefined) {
      this.problems.push(`${name} is required (${description})`);
      return '';
    }
    return value;
  }

  optional(name: string): string | null {
    return this.raw(name) ?? null;
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  url(name: string, fallback?: string): string {
    const value = this.raw(name) ?? fallback;
    if (value === undefined) {
      this.problems.push(`${name} is required (an http(s) URL)`);
      return '';
    }
    try {
      const parsed = new URL(value);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('protocol');
    } catch {
      this.problems.push(`${name} must be an http(s) URL`);
      return '';
    }
    return value.replace(/\/+$/, '');
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^-?\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return Number(value);
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['true', '1', 'yes'].includes(value)) return true;
    if (['false', '0', 'no'].includes(value)) return false;
    this.problems.push(`${name} must be true or false`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')}`);
      return fallback;
    }
    return value as T;
  }

  check(condition: boolean, problem: string): void {
    if (!condition) this.problems.push(problem);
  }
}
