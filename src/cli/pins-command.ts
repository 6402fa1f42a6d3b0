import { existsSync } from 'node:fs';
import type { DataSource } from 'typeorm';
import { buildDataSourceOptions, createDataSource } from '../persistence/data-source-options';
import { LeaseEntity, SettingsPinEntity } from '../persistence/entities';
import { WRITER_LEASE } from '../persistence/lease/writer-lease';

export interface PinsCommandEnv {
  databasePath: string;
  leaseTtlSeconds: number;
  now: Date;
}

const USAGE = 'usage: npm run pins                       list the pinned loyalty settings\n       npm run pins -- --clear --confirm   remove them (reconcile first; the next start pins the configured values)';

/**
 * Lists, or deliberately clears, the loyalty settings pinned at the first start (README, "Pinned settings").
 * Clearing is refused while a connector holds the database, since it would re-pin its own values at the next
 * catalogue read.
 */
export async function runPinsCommand(args: string[], env: PinsCommandEnv, print: (line: string) => void): Promise<number> {
  const clear = args.includes('--clear');
  const confirm = args.includes('--confirm');
  if (args.some((a) => !['--clear', '--confirm', '--list'].includes(a)) || (confirm && !clear)) {
    print(USAGE);
    return 2;
  }
  if (!existsSync(env.databasePath)) {
    print(`No database at ${env.databasePath} (set DATABASE_PATH).`);
    return 1;
  }
  const source = await createDataSource({ ...buildDataSourceOptions(env.databasePath), migrationsRun: false }).initialize();
  try {
    const pins = await source.getRepository(SettingsPinEntity).find({ order: { name: 'ASC' } });
    if (pins.length === 0) {
      print('No loyalty settings are pinned: the next start with a valid wallet perk pins the configured ones.');
      return 0;
    }
    const lines = pins.map((p) => `  ${p.name} = ${p.value} (pinned at ${p.pinnedAt.toISOString()})`);
    if (!clear) {
      print(`Pinned loyalty settings in ${env.databasePath}:\n${lines.join('\n')}`);
      return 0;
    }
    if (!confirm) {
      print(`Would remove these pins from ${env.databasePath}:\n${lines.join('\n')}\nReconcile first, then add --confirm to remove them.`);
      return 1;
    }
    const holder = await liveHolder(source, env);
    if (holder) {
      print(`A connector is running on ${env.databasePath} (writer lease held by ${holder}): stop it first, then clear the pins.`);
      return 1;
    }
    await source.getRepository(SettingsPinEntity).delete(pins.map((p) => p.name));
    print(`Removed the pinned loyalty settings from ${env.databasePath}:\n${lines.join('\n')}\nThe next start with a valid wallet perk pins the configured values.`);
    return 0;
  } finally {
    await source.destroy();
  }
}

async function liveHolder(source: DataSource, env: PinsCommandEnv): Promise<string | null> {
  const runner = source.createQueryRunner();
  const hasLeaseTable = await runner.hasTable('lease').finally(() => runner.release());
  if (!hasLeaseTable) return null;
  const lease = await source.getRepository(LeaseEntity).findOneBy({ name: WRITER_LEASE });
  if (!lease?.holder || !lease.heartbeatAt) return null;
  const fresh = Date.parse(lease.heartbeatAt) >= env.now.getTime() - env.leaseTtlSeconds * 1000;
  return fresh ? `${lease.holder}, last heartbeat ${lease.heartbeatAt}` : null;
}
