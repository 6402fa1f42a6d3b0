/**
 * Money is held in integer minor units (cents). Wire amounts are JSON numbers in major units, read through their
 * decimal text so that 19.99 becomes 1999 and never 1998.9999.
 */
const MAJOR_UNITS = /^(\d+)(?:\.(\d{1,2}))?$/;

/** Minor units for a non-negative amount with at most two decimals, or undefined when it is not one. */
export function majorTextToMinor(text: string): number | undefined {
  const match = MAJOR_UNITS.exec(text.trim());
  if (!match) return undefined;
  const minor = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return Number.isSafeInteger(minor) ? minor : undefined;
}

/** Reads a wire amount; only JSON numbers are amounts. */
export function wireAmountToMinor(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  return majorTextToMinor(String(value));
}

export function minorToMajor(minor: number): number {
  return minor / 100;
}

/** floor(totalMinor × percent / 100), exact for decimal percents such as 2.5 or 0.1. */
export function percentOfMinor(totalMinor: number, percent: number): number {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(String(percent));
  if (!match) throw new Error(`Invalid reward percent: ${percent}`);
  const decimals = match[2] ?? '';
  const numerator = BigInt(match[1] + decimals);
  const denominator = 100n * 10n ** BigInt(decimals.length);
  return Number((BigInt(totalMinor) * numerator) / denominator);
}
