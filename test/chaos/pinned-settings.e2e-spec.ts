import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { ChildConnector, spawnConnector, startOrExit, startSimulatorsForChild, waitUntilSeeded } from '../support/chaos/child-connector';
import { queryDb } from '../support/chaos/db';
import { addUsers } from '../support/chaos/chaos-harness';
import { RATE } from '../support/loyalty';

const STACK_TRACE = /\n\s+at \S.*:\d+:\d+\)?/;
const REPO = resolve(__dirname, '../..');

/** `npm run pins -- …` as the operator runs it (from source here: the compiled script is the same code). */
function pinsCommand(databasePath: string, ...args: string[]): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), join(REPO, 'src/cli/pins.ts'), ...args], {
    cwd: join(databasePath, '..'),
    env: { PATH: process.env.PATH ?? '', TS_NODE_PROJECT: join(REPO, 'tsconfig.json'), DATABASE_PATH: databasePath },
    encoding: 'utf8',
  });
  return { status: result.status, output: result.stdout + result.stderr };
}

describe('chaos: pinned loyalty settings (e2e)', () => {
  it('a restart with another POINTS_PER_CURRENCY_UNIT refuses to start, naming it with the pinned and new value; the original values start; clearing the pins lets the new value start', async () => {
    const setup = await startSimulatorsForChild({ seed: (pepper) => addUsers(pepper, 'Pin', 2) });
    const children: ChildConnector[] = [];
    try {
      const first = await spawnConnector(setup.env);
      children.push(first);
      await waitUntilSeeded(first);
      const pins = await queryDb<{ name: string; value: string }>(setup.databasePath, 'SELECT name, value FROM settings_pin ORDER BY name');
      expect(pins).toEqual(expect.arrayContaining([{ name: 'pointsPerCurrencyUnit', value: String(RATE) }]));
      await first.kill('SIGTERM');
      const runCount = async () => (await queryDb<{ n: number }>(setup.databasePath, 'SELECT COUNT(*) AS n FROM sync_run'))[0].n;
      const runsBefore = await runCount();

      const changed = await startOrExit({ ...setup.env, POINTS_PER_CURRENCY_UNIT: String(RATE * 10) });
      children.push(changed.child);
      expect(changed.outcome).toEqual({ code: 1, signal: null });
      const output = changed.child.stderr() + changed.child.stdout();
      expect(output).toContain(`POINTS_PER_CURRENCY_UNIT: pinned ${RATE}, configured ${RATE * 10}`);
      expect(output).toMatch(/revalue|strand/);
      expect(output).toContain('npm run pins -- --clear --confirm');
      expect(output).not.toMatch(STACK_TRACE);
      expect(await runCount()).toBe(runsBefore); // refused before any job ran

      // The refused start released the writer lease: the original values start at once (no TTL to wait out).
      const restored = await spawnConnector(setup.env);
      children.push(restored);
      await waitUntilSeeded(restored);
      expect(await runCount()).toBeGreaterThan(runsBefore);

      // Migrating deliberately: stop, clear the pins (the command prints what it removes), start with the new rate.
      await restored.kill('SIGTERM');
      const cleared = pinsCommand(setup.databasePath, '--clear', '--confirm');
      expect(cleared).toEqual({ status: 0, output: expect.stringContaining(`pointsPerCurrencyUnit = ${RATE}`) });
      const migrated = await spawnConnector({ ...setup.env, POINTS_PER_CURRENCY_UNIT: String(RATE * 10) });
      children.push(migrated);
      await waitUntilSeeded(migrated);
      expect(await queryDb(setup.databasePath, "SELECT value FROM settings_pin WHERE name = 'pointsPerCurrencyUnit'")).toEqual([{ value: String(RATE * 10) }]);
    } finally {
      for (const child of children) await child.kill('SIGKILL');
      await setup.close();
    }
  }, 150_000);
});
