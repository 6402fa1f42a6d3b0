import 'reflect-metadata';
import { createHmac, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { createApp } from '../../../../src/bootstrap';
import { loadConfig } from '../../../../src/config/load-config';
import { GetStatusUseCase } from '../../../../src/admin/use-cases/get-status.use-case';
import { ConflictStore } from '../../../../src/persistence/stores/conflict.store';
import { RunStore } from '../../../../src/persistence/stores/run.store';
import { JobAlreadyRunningError, JobRunner } from '../../../../src/core/job-runner';
import { SyncJobs } from '../../../../src/sync/sync-jobs';
import { SyncScheduler } from '../../../../src/sync/sync-scheduler';
import { CrmComSimulator } from '../crmcom';
import { PepperSimulator } from '../pepper/pepper-simulator';
import { DEFAULT_MIX, seedDemoData } from './demo-data';
import { printSummary, row } from './demo-summary';
import { formatMinor } from '../../../../src/common/money';
import { LinkStore } from '../../../../src/persistence/stores/link.store';

const WALLET_PERK = 'perk-wallet';
const POINTS_PER_UNIT = 100;

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
  const crm = new CrmComSimulator({ apiKey: crmKey, rewardOffers: [{ name: '10% back on every purchase', percent: 10 }] });
  pepper.addPerk({ id: WALLET_PERK, title: 'Wallet', template: 'PSEUDO_CURRENCY' });
  pepper.addPerk({ id: 'perk-coffee-stamps', title: 'Coffee stamps', template: 'STAMP_CARD' });
  const expected = seedDemoData(pepper, crm, DEFAULT_MIX);
  // Some customers earned points in Pepper before go-live: they are carried into their new wallets.
  for (const userId of expected.created.slice(0, 10)) pepper.grantAward(userId, WALLET_PERK, 250, { at: new Date(Date.now() - 86_400_000) });
  // The menu of the demo location: it becomes CRM.COM products (design §9).
  pepper.audiences.setMenu('loc-demo', [
    { id: 'cat-coffee', title: 'Coffee', products: [{ id: 'latte', title: 'Latte', price: 3.75 }, { id: 'flat-white', title: 'Flat white', price: 3.5 }] },
    { id: 'cat-bakery', title: 'Bakery', products: [{ id: 'bun', title: 'Bun', price: 5 }, { id: 'croissant', title: 'Croissant', price: 2.8 }] },
  ]);
  const webhookSecret = randomBytes(24).toString('hex');
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
    PEPPER_POLL_OVERLAP_SECONDS: '5',
    CRMCOM_POLL_INTERVAL_SECONDS: '5',
    LOG_FORMAT: 'pretty',
    // simulators on this machine: no shared rate budget to protect
    PEPPER_MAX_RPS: '1000',
    CRMCOM_MAX_RPS: '1000',
    // the demo's summary reads the totals as soon as the flows are done
    OPS_COUNTS_SECONDS: '0',
    HOST: '127.0.0.1',
    SEGMENT_MAP: 'tier:gold=Gold members',
    CRMCOM_WEBHOOK_SECRET: webhookSecret,
    PRODUCT_LOCATIONS: 'loc-demo',
    CRMCOM_PRODUCT_API: 'legacy',
    PEPPER_MENU_API_URL: pepperServer.url,
  });
  const app = await createApp(config, {}, ['error']);
  await app.listen(config.port, config.host);
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
  const poll = await runPoll(app, () => app.get(SyncJobs).startActionsPoll('ADMIN', 'demo'));
  const pollRun = await app.get(RunStore).get(poll.runId);
  say(`   actions poll: ${JSON.stringify(pollRun?.counts)}`);
  const ninaContact = crm.findContactByCode(nina.id);
  say(`   → Nina now has CRM.COM contact ${ninaContact?.id ?? '(missing!)'}`);

  await settle(app);

  say();
  say('3. Loyalty both ways');
  const walletOf = (userId: string) => pepper.awardsOf(userId).find((a) => a.perkId === WALLET_PERK)?.points.available ?? 0;
  const shoppers = expected.created.slice(2, 12);
  const before = walletOf(shoppers[0]);
  for (let i = 0; i < 50; i++) {
    pepper.completeOrder(shoppers[i % shoppers.length], { orderId: `demo-${i}`, total: '12.50', items: [{ productId: 'latte', title: 'Latte', quantity: 2, price: '3.75' }, { productId: 'bun', title: 'Bun', quantity: 1, price: '5.00' }] });
  }
  say(`   50 orders completed in Pepper (12.50 each)`);
  await settle(app);
  const purchases = crm.purchases().filter((p) => p.referenceNumber?.includes(':order:demo-'));
  say(`   → ${purchases.length} CRM.COM purchases; the reward offer gave 1.25 each, and ${shoppers[0]}'s Pepper balance went ${before} → ${walletOf(shoppers[0])} points`);

  const redeemer = shoppers[1];
  const award = pepper.awardsOf(redeemer).find((a) => a.perkId === WALLET_PERK);
  if (award) {
    const walletBefore = crm.walletBalanceMinor(crm.findContactByCode(redeemer)!.id);
    pepper.redeemAward(redeemer, award._id, 200);
    await settle(app);
    const walletAfter = crm.walletBalanceMinor(crm.findContactByCode(redeemer)!.id);
    say(`   ${redeemer} redeemed 200 points in the Pepper app → CRM.COM wallet ${formatMinor(walletBefore)} → ${formatMinor(walletAfter)} (one DEBIT journal)`);
  }

  const spender = shoppers[2];
  const pointsBefore = walletOf(spender);
  crm.posSpend(crm.findContactByCode(spender)!.id, '1.00');
  await settle(app);
  say(`   ${spender} spent 1.00 of wallet at the CRM.COM POS → Pepper balance ${pointsBefore} → ${walletOf(spender)} points`);

  say();
  say('4. Segments, app notifications and products');
  const jobs = app.get(SyncJobs);
  const linked = await app.get(LinkStore).list({ status: 'LINKED' }, 25, null);
  crm.setTier('gold', 'Gold', linked.items.map((l) => l.crmContactId as string));
  await (await jobs.startSegmentsSync('ADMIN', 'demo')).done;
  const gold = pepper.audiences.segments().find((s) => s.title === 'CRM: Gold members');
  say(`   CRM.COM tier "Gold" (${linked.items.length} contacts) → Pepper segment ${gold?._id ?? '(missing!)'} "CRM: Gold members" with ${gold ? pepper.audiences.members(gold._id).length : 0} members`);
  const notified = linked.items[0];
  const body = JSON.stringify({ eventId: 'demo-evt-1', contactId: notified.crmContactId, title: 'Welcome to Gold', message: 'Enjoy double points this week' });
  const answer = await fetch(`http://127.0.0.1:${config.port}/webhooks/crmcom/notifications`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Signature': createHmac('sha256', webhookSecret).update(body).digest('hex') },
    body,
  });
  const received = pepper.audiences.notifications().filter((n) => n.userIds?.includes(notified.pepperUserId));
  say(`   CRM.COM automation webhook → ${answer.status}; ${notified.pepperUserId} received ${received.length} notification: "${received[0]?.title ?? ''}"`);
  await (await jobs.startProductsSync('ADMIN', 'demo')).done;
  say(`   Pepper menu of loc-demo → ${crm.products().length} CRM.COM products (${crm.products().map((p) => p.sku).join(', ')}) in ${crm.productSynchroniseCalls.length} products/synchronise call`);

  const links = await app.get(LinkStore).list({ status: 'LINKED' }, 500, null);
  const walletPoints = (contactId: string) => Math.trunc(crm.walletBalanceMinor(contactId) * (POINTS_PER_UNIT / 100));
  const disagree = links.items.filter((l) => walletOf(l.pepperUserId) !== walletPoints(l.crmContactId as string));
  say();
  await printSummary(say, await app.get(GetStatusUseCase).execute(), await app.get(ConflictStore).list({ status: 'OPEN' }, 500, null), crm, [
    row('purchases pushed to CRM.COM', crm.purchases().length),
    row('Pepper segments mirrored from CRM.COM', pepper.audiences.segments().length),
    row('app notifications sent', pepper.audiences.notifications().length),
    row('products synchronised to CRM.COM', crm.products().length),
    row('linked users whose Pepper balance = wallet', `${links.items.length - disagree.length} of ${links.items.length}`),
  ]);

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

/** Runs both feeds a few times, as the schedule would over a few minutes. */
async function settle(app: INestApplication): Promise<void> {
  const jobs = app.get(SyncJobs);
  await app.get(JobRunner).idle();
  for (let i = 0; i < 3; i++) {
    await runPoll(app, () => jobs.startActionsPoll('ADMIN', 'demo'));
    await runPoll(app, () => jobs.startJournalsPoll('ADMIN', 'demo'));
  }
}

/** One poll to its end. The demo's scheduler polls too: a poll it has just started is waited for, then ours runs. */
async function runPoll<T extends { done: Promise<unknown> }>(app: INestApplication, start: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      const run = await start();
      await run.done;
      return run;
    } catch (error) {
      if (!(error instanceof JobAlreadyRunningError) || attempt === 10) throw error;
      await app.get(JobRunner).idle();
    }
  }
}

async function showProgress(app: INestApplication, totalUsers: number): Promise<void> {
  const runner = app.get(JobRunner);
  const status = app.get(GetStatusUseCase);
  const startedAt = Date.now();
  let finished = false;
  await app.get(SyncScheduler).ready;
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
