import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The documents' example bodies (test/fixtures, sources in test/fixtures/SOURCES.md). */
export const FIXTURES_DIR = join(__dirname, '..', 'fixtures');

export function fixture(path: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, path), 'utf8')) as unknown;
}

/** A fixture that is a JSON object, typed for spreading and indexing. */
export function fixtureObject(path: string): Record<string, unknown> {
  const value = fixture(path);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${path} is not a JSON object`);
  return value as Record<string, unknown>;
}

export function fixtureFiles(api: 'pepper' | 'crmcom'): string[] {
  return readdirSync(join(FIXTURES_DIR, api))
    .filter((name) => name.endsWith('.json'))
    .map((name) => `${api}/${name}`)
    .sort();
}

/**
 * Every key path of a JSON body, nested ones dotted and array items as `[]`: `{a: {b: 1}, c: [{d: 2}]}` gives
 * `a`, `a.b`, `c`, `c[].d`. Used to compare a writer's body with a documented example.
 */
export function keyPaths(value: unknown): string[] {
  const out = new Set<string>();
  walk(value, '', out);
  return [...out].sort();
}

function walk(value: unknown, prefix: string, out: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, `${prefix}[]`, out);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [key, child] of Object.entries(value)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    out.add(path);
    walk(child, path, out);
  }
}

/** Key paths of `sent` that none of the documented bodies shows. */
export function undocumentedKeys(sent: unknown, ...documented: unknown[]): string[] {
  const known = new Set(documented.flatMap(keyPaths));
  return keyPaths(sent).filter((path) => !known.has(path));
}
