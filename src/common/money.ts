/**
 * Money as integer minor units. Amounts are converted through their decimal text, never by multiplying a float,
 * so 19.99 becomes exactly 1999 and a value that cannot be represented exactly is refused, not rounded.
 */

export class InvalidAmountError extends Error {
  constructor(value: unknown, reason: string) {
    super(`Invalid amount ${describe(value)}: ${reason}`);
    this.name = 'InvalidAmountError';
  }
}

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
// Exponents this large can only describe values far beyond MAX_SAFE_INTEGER or far below one minor unit.
const MAX_EXPONENT_MAGNITUDE = 400;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export function parseDecimalToMinor(value: unknown, fractionDigits = 2): number {
  assertFractionDigits(fractionDigits);
  const text = decimalTextOf(value);
  const match = DECIMAL_TEXT.exec(text);
  if (!match) throw new InvalidAmountError(value, 'not a decimal number');
  const [, sign, integerDigits = '', fractionText = '', exponentText] = match;
  if (integerDigits === '' && fractionText === '') throw new InvalidAmountError(value, 'not a decimal number');

  const exponent = exponentText === undefined ? 0 : Number(exponentText);
  if (Math.abs(exponent) > MAX_EXPONENT_MAGNITUDE) throw new InvalidAmountError(value, 'exponent out of range');

  // value = digits × 10^(exponent − fractionText.length); minor = value × 10^fractionDigits.
  const digits = (integerDigits + fractionText).replace(/^0+/, '') || '0';
  const shift = exponent - fractionText.length + fractionDigits;
  let minor: bigint;
  if (shift >= 0) {
    minor = BigInt(digits) * 10n ** BigInt(shift);
  } else {
    const droppedDigits = -shift;
    const padded = digits.padStart(droppedDigits + 1, '0');
    const kept = padded.slice(0, padded.length - droppedDigits);
    const dropped = padded.slice(padded.length - droppedDigits);
    if (/[^0]/.test(dropped)) {
      throw new InvalidAmountError(value, `more than ${fractionDigits} fraction digits`);
    }
    minor = BigInt(kept);
  }
  if (minor > MAX_SAFE) throw new InvalidAmountError(value, 'beyond the safe integer range');
  const result = Number(minor);
  return sign === '-' && result !== 0 ? -result : result;
}

/** The JSON number to send for an amount in minor units (1250 → 12.5), built from its decimal text. */
export function minorToMajor(minor: number, fractionDigits = 2): number {
  const major = Number(formatMinor(minor, fractionDigits));
  // Above ~15 significant digits a double no longer carries the exact decimal:
  // refuse rather than send a different amount.
  if (parseDecimalToMinor(major, fractionDigits) !== minor) {
    throw new InvalidAmountError(minor, 'cannot be sent as an exact JSON number');
  }
  return major;
}

/** Decimal text of an amount in minor units: 1250 → "12.50", -5 → "-0.05". */
export function formatMinor(minor: number, fractionDigits = 2): string {
  assertFractionDigits(fractionDigits);
  if (!Number.isSafeInteger(minor)) throw new InvalidAmountError(minor, 'minor units must be a safe integer');
  const sign = minor < 0 ? '-' : '';
  const digits = String(Math.abs(minor)).padStart(fractionDigits + 1, '0');
  if (fractionDigits === 0) return sign + digits;
  const cut = digits.length - fractionDigits;
  return `${sign}${digits.slice(0, cut)}.${digits.slice(cut)}`;
}

function decimalTextOf(value: unknown): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidAmountError(value, 'not a finite number');
    // String(number) is the shortest text that reads back as the same double: 19.99 → "19.99".
    return String(value);
  }
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed === '') throw new InvalidAmountError(value, 'empty');
    return trimmed;
  }
  throw new InvalidAmountError(value, 'not a number or decimal string');
}

function assertFractionDigits(fractionDigits: number): void {
  if (!Number.isInteger(fractionDigits) || fractionDigits < 0 || fractionDigits > 20) {
    throw new RangeError(`fractionDigits must be an integer from 0 to 20, got ${fractionDigits}`);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  return `(${typeof value})`;
}
