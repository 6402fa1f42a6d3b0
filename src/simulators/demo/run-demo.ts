import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { createApp } from '../../bootstrap';
import { loadConfig } from '../../config/load-config';
import { GetStatusUseCase } from '../../admin/use-cases/get-status.use-case';
import { ConflictStore } from '../../persistence/stores/conflict.store';
import { RunStore } from '../../persistence/stores/run.store';
import { JobRunner } from '../../sync/job-runner';
import { SyncJobs } from '../../sync/sync-jobs';
import { CrmComSimulator } from '../crmcom';
import { PepperSimulator } from '../pepper/pepper-simulator';
import { DEFAULT_MIX, seedDemoData } from './demo-data';
import { printSummary } from './demo-summary';

/** `npm run demo [-- --exit] [-- --port 3000]`: the whole product on one machine, no credentials needed. */
interface DemoArgs {
  exitAfterSummary: boolean;
  port: number;
}

function parseArgs(argv: string[]): DemoArgs {
  const portAt = argv.indexOf('--port');
  return { exitAfterSummary: argv.includes('--exit'), port: portAt >= 0 ? Number(argv[portAt + 1]) : 3000 };
}

const say = (line = '') => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const pepperToken = randomBytes(16).toString('hex');
  const crmKey = randomBytes(16).toString('hex');
  const adminToken = randomBytes(18).toString('base64url');

  const pepper = new PepperSimulator({ authToken: pepperToken, applicationId: 'demo-merchant' });
  const crm = new CrmComSimulator({ apiKey: crmKey });
  const expected = seedDemoData(pepper, crm, DEFAULT_MIX);
  const pepperServer = await pepper.start(0);
  const crmServer = await crm.start(0);
  say('Pepper ⇄ CRM.COM connector — demo');
  say(`  Pepper simulator   ${pepperServer.url}   (${expected.totalUsers} users, ${expected.deleted.length} of them deleted)`);
  say(`  CRM.COM simulator  ${crmServer.url}   (${crm.contacts().length} existing contacts)`);

  const databasePath = join('data', 'demo.sqlite');
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${databasePath}${suffix}`, { force: true });
  const config = loadConfig({
    PEPPER_API_URL: pepperServer.url,
    PEPPER_AUTH_TOKEN: pepperToken,
    PEPPER_APPLICATION_ID: 'demo-merchant',
    CRMCOM_API_URL: crmServer.url,
    CRMCOM_API_KEY: crmKey,
    ADMIN_API_TOKEN: adminToken,
    DATABASE_PATH: databasePath,
    PORT: String(args.port),
    PEPPER_POLL_INTERVAL_SECONDS: '5',
    PEPPER_POLL_LAG_SECONDS: '0',
  });
  const app = await createApp(config, {}, ['error']);
  await app.listen(config.port);
  say(`  Connector          http://localhost:${config.port}   (database ${databasePath})`);
  say();

  say('1. Initial seed: every Pepper user is linked to a CRM.COM contact, created, or reported as a conflict');
  await showProgress(app, expected.totalUsers);

  say();
  say('2. Live changes in Pepper, picked up from the actions feed');
  const nina = pepper.addUser({ firstName: 'Nina', lastName: 'Newcomer', email: 'nina@demo.example', phone: '+447400999001' });
  say(`   USER_CREATED  ${nina.id} Nina Newcomer`);
  const changed = expected.created[0];
  pepper.updateUser(changed, { lastName: 'Married-Name', marketing: true });
  say(`   USER_CHANGED  ${changed} new last name, opted in to marketing`);
  const gone = expected.created[1];
  pepper.deleteUser(gone);
  say(`   USER_DELETED  ${gone}`);
  await app.get(JobRunner).idle();
  const poll = await app.get(SyncJobs).startActionsPoll('ADMIN', 'demo');
  await poll.done;
  const pollRun = await app.get(RunStore).get(poll.runId);
  say(`   actions poll: ${JSON.stringify(pollRun?.counts)}`);
  const ninaContact = crm.findContactByCode(nina.id);
  say(`   → Nina now has CRM.COM contact ${ninaContact?.id ?? '(missing!)'}`);

  say();
  await printSummary(say, await app.get(GetStatusUseCase).execute(), await app.get(ConflictStore).list({ status: 'OPEN' }, 500, null), crm);

  if (args.exitAfterSummary) {
    await app.close();
    await pepperServer.close();
    await crmServer.close();
    return;
  }
  say();
  say('The admin API stays up for a look (Ctrl-C to stop):');
  say(`  export TOKEN='${adminToken}'`);
  say(`  curl -s -H "Authorization: Bearer $TOKEN" http://localhost:${config.port}/admin/status`);
  say(`  curl -s -H "Authorization: Bearer $TOKEN" 'http://localhost:${config.port}/admin/conflicts?status=open&limit=5'`);
  say(`  curl -s -H "Authorization: Bearer $TOKEN" 'http://localhost:${config.port}/admin/links?pepperUserId=${nina.id}'`);
  say(`  curl -s -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"scope":"users"}' http://localhost:${config.port}/admin/resync`);
  const stop = async () => {
    await app.close();
    await pepperServer.close();
    await crmServer.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function showProgress(app: INestApplication, totalUsers: number): Promise<void> {
  const runner = app.get(JobRunner);
  const status = app.get(GetStatusUseCase);
  const startedAt = Date.now();
  let finished = false;
  const done = runner.idle().then(() => (finished = true));
  while (!finished) {
    await Promise.race([done, new Promise((r) => setTimeout(r, 750))]);
    const run = (await status.execute()).jobs['users-seed'] as { counts: Record<string, number> } | null;
    const c = run?.counts ?? {};
    const line = `   ${String(c.users ?? 0).padStart(4)}/${totalUsers} users read · ${c.created ?? 0} contacts created · ${c.linked ?? 0} linked to existing contacts · ${c.conflict ?? 0} conflicts · ${c.skippedDeleted ?? 0} deleted skipped`;
    process.stdout.write(process.stdout.isTTY ? `\r${line}` : `${line}\n`);
  }
  if (process.stdout.isTTY) process.stdout.write('\n');
  say(`   seed finished in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
