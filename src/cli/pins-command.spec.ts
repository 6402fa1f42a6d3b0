import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions, prepareDatabaseFile } from '../persistence/data-source-options';
import { LeaseEntity, SettingsPinEntity } from '../persistence/entities';
import { runPinsCommand } from './pins-command';

const NOW = new Date('2026-01-01T12:00:00.000Z');
const PINS = { walletPerkId: 'perk-wallet', pointsPerCurrencyUnit: '100', currency: 'EUR' };

/** A database as a connector leaves it: pins written, and a writer lease with a heartbeat `heartbeatAgoMs` ago. */
async function databaseWithPins(heartbeatAgoMs: number | null): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), 'pins-cli-')), 'connector.sqlite');
  prepareDatabaseFile(path);
  const source = await new DataSource(buildDataSourceOptions(path)).initialize();
  for (const [name, value] of Object.entries(PINS)) await source.getRepository(SettingsPinEntity).save({ name, value });
  if (heartbeatAgoMs !== null) {
    const at = new Date(NOW.getTime() - heartbeatAgoMs).toISOString();
    await source.getRepository(LeaseEntity).save({ name: 'writer', holder: 'host:42:abcd', token: 3, acquiredAt: at, heartbeatAt: at });
  }
  await source.destroy();
  return path;
}

async function run(args: string[], databasePath: string): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  const code = await runPinsCommand(args, { databasePath, leaseTtlSeconds: 30, now: NOW }, (line) => lines.push(line));
  return { code, output: lines.join('\n') };
}

async function pinsIn(databasePath: string): Promise<string[]> {
  const source = await new DataSource({ ...buildDataSourceOptions(databasePath), migrationsRun: false }).initialize();
  try {
    return (await source.getRepository(SettingsPinEntity).find()).map((p) => p.name).sort();
  } finally {
    await source.destroy();
  }
}

describe('npm run pins', () => {
  it('lists the pins without changing them', async () => {
    const path = await databaseWithPins(null);
    const { code, output } = await run([], path);
    expect(code).toBe(0);
    for (const [name, value] of Object.entries(PINS)) expect(output).toContain(`${name} = ${value}`);
    expect(await pinsIn(path)).toEqual(['currency', 'pointsPerCurrencyUnit', 'walletPerkId']);
  });

  it('--clear without --confirm only shows what it would remove', async () => {
    const path = await databaseWithPins(null);
    const { code, output } = await run(['--clear'], path);
    expect(code).toBe(1);
    expect(output).toContain('--confirm');
    expect(await pinsIn(path)).toHaveLength(3);
  });

  it('--clear --confirm removes the pins and prints each one it removed', async () => {
    const path = await databaseWithPins(60_000); // a lease left by a process that stopped a minute ago
    const { code, output } = await run(['--clear', '--confirm'], path);
    expect(code).toBe(0);
    expect(output).toContain('Removed');
    for (const [name, value] of Object.entries(PINS)) expect(output).toContain(`${name} = ${value}`);
    expect(await pinsIn(path)).toEqual([]);
  });

  it('refuses to clear while a connector holds the database (a fresh writer lease), naming the holder', async () => {
    const path = await databaseWithPins(5_000);
    const { code, output } = await run(['--clear', '--confirm'], path);
    expect(code).toBe(1);
    expect(output).toContain('host:42:abcd');
    expect(await pinsIn(path)).toHaveLength(3);
  });

  it('refuses unknown arguments and a missing database', async () => {
    expect((await run(['--clear', '--yes'], await databaseWithPins(null))).code).toBe(2);
    expect(await run([], '/nonexistent/connector.sqlite')).toEqual({ code: 1, output: expect.stringContaining('No database') });
  });
});
