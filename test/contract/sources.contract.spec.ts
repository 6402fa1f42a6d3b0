import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, fixtureFiles, FIXTURES_DIR } from './contract-fixtures';

/** Every fixture has its source in SOURCES.md, and every file SOURCES.md names exists and is JSON. */
describe('test/fixtures/SOURCES.md', () => {
  const sources = readFileSync(join(FIXTURES_DIR, 'SOURCES.md'), 'utf8');
  const section = (api: string) => {
    const heading = `## ${api === 'pepper' ? 'Pepper' : 'CRM.COM'} `;
    return sources.split('\n## ').find((part) => `## ${part}`.startsWith(heading)) ?? '';
  };
  const listed = (api: string) => [...section(api).matchAll(/^\| `([^`]+\.json)` \|/gm)];

  it.each(['pepper', 'crmcom'] as const)('lists every %s fixture, and only existing ones', (api) => {
    const names = listed(api).map((m) => `${api}/${m[1]}`);
    expect([...names].sort()).toEqual(fixtureFiles(api));
    expect(new Set(names).size).toBe(names.length);
  });

  it.each([...fixtureFiles('pepper'), ...fixtureFiles('crmcom')])('%s is JSON', (file) => {
    expect(() => fixture(file)).not.toThrow();
  });

  it('names the seed of every seed fixture in its file name', () => {
    for (const file of [...fixtureFiles('pepper'), ...fixtureFiles('crmcom')]) {
      expect(file).toMatch(/\.(seed00[0-3]|docs)\.json$/);
    }
  });
});
