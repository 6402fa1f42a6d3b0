export const REDACTED = '***';

// Shorter values would also blank out ordinary words and numbers, and are not plausible secrets.
const MIN_SECRET_LENGTH = 4;

/** Replaces every occurrence of each secret in `text` with `***`. */
export function redactSecrets(text: string, secrets: ReadonlyArray<string | null | undefined>): string {
  const present = secrets
    .filter((secret): secret is string => typeof secret === 'string' && secret.length >= MIN_SECRET_LENGTH)
    // Longest first, so a secret that contains another is replaced whole.
    .sort((a, b) => b.length - a.length);
  let result = text;
  for (const secret of present) {
    result = result.split(secret).join(REDACTED);
  }
  return result;
}
