import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { runMigrateToPostgresCommand } from '../src/cli/migrate-to-postgres-command';
import { queryDb, sqliteDateMs, writeDb } from './support/chaos/db';
import { Harness, startHarness } from './support/harness';
import { LOYALTY_ENV, settle, WALLET_PERK } from './support/loyalty';
import { createTestSchema, onPostgres, TestSchema, testClientConfig } from './support/test-database';

/** Every table the entities map (TypeORM's own `migrations` is not copied). */
const TABLES = [
  'user_link',
  'conflict',
  'sync_state',
  'inbound_event',
  'outbound_write',
  'sync_run',
  'perk',
  'award_mirror',
  'settings_pin',
  'lease',
  'audit_entry',
  'segment_mirror',
  'notification',
  'product_sync',
];
/** The ones a connector that linked users, bought orders and mirrored movements has written to. */
const MAIN_TABLES = ['user_link', 'sync_state', 'inbound_event', 'outbound_write', 'sync_run', 'perk', 'award_mirror', 'settings_pin', 'lease'];

const ITEMS = [{ productId: 'latte', title: 'Latte', quantity: 1, price: '4.00' }];
const PASSWORD = 'not-to-be-printed-9f3k';

/** The schema's URL with a password in it (trust auth ignores it): the command must never print it. */
function withPassword(url: string): string {
  const u = new URL(url);
  u.password = PASSWORD;
  return u.toString();
}

async function pgQuery<T = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client(testClientConfig(url));
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

async function sqliteCounts(path: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TABLES) counts[table] = (await queryDb<{ n: number }>(path, `SELECT COUNT(*) AS n FROM "${table}"`))[0].n;
  return counts;
}

async function postgresCounts(url: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TABLES) counts[table] = (await pgQuery<{ n: number }>(url, `SELECT COUNT(*) AS n FROM "${table}"`))[0].n;
  return counts;
}

const ENV = { leaseTtlSeconds: 30, databaseUrl: null };

// Needs a PostgreSQL server: it runs in the Postgres part of `npm test` (TEST_DATABASE=postgres), where the source
// connector is still forced onto SQLite (`sqlite: true`), and the target is a schema of its own.
(onPostgres ? describe : describe.skip)('npm run migrate-to-postgres: a SQLite connector moves to PostgreSQL and carries on (e2e)', () => {
  let h: Harness;
  let target: TestSchema;
  let targetUrl: string;
  const users: string[] = [];
  const output: string[] = [];
  let sqliteBefore: Record<string, number>;

  beforeAll(async () => {
    h = await startHarness({
      sqlite: true,
      env: LOYALTY_ENV,
      crm: { rewardOffers: [{ name: '10% back', percent: 10 }] },
      seed: (pepper) => {
        pepper.addPerk({ id: WALLET_PERK, title: 'Wallet', template: 'PSEUDO_CURRENCY' });
        for (let i = 0; i < 4; i++) users.push(pepper.addUser({ firstName: `M${i}`, lastName: 'Mover', email: `mover${i}@demo.example` }, { emitAction: false }).id);
      },
    });
    await settle(h);
    for (let i = 0; i < 6; i++) h.pepper.completeOrder(users[i % 4], { orderId: `before-${i}`, total: '4.00', items: ITEMS });
    await settle(h);
    // movements both ways: a Pepper redemption (→ a DEBIT journal) and a CRM.COM award (→ the Pepper balance)
    const award = h.pepper.awardsOf(users[0]).find((a) => a.perkId === WALLET_PERK)!;
    h.pepper.redeemAward(users[0], award._id, 10);
    h.crm.posAward(h.crm.findContactByCode(users[1])!.id, '1.00');
    await settle(h);
    await h.stop();
    target = await createTestSchema('mig');
    targetUrl = withPassword(target.url);
  });
  afterAll(async () => {
    await h?.close();
    await target?.drop();
  });

  it('starts from a SQLite connector with rows in every main table and its cursors', async () => {
    expect(h.crm.purchases().filter((p) => p.referenceNumber?.includes(':order:before-'))).toHaveLength(6);
    sqliteBefore = await sqliteCounts(h.config.databasePath);
    expect(MAIN_TABLES.filter((t) => sqliteBefore[t] === 0)).toEqual([]);
    const cursors = await queryDb<{ cursor: string | null }>(h.config.databasePath, 'SELECT cursor FROM sync_state WHERE cursor IS NOT NULL');
    expect(cursors.length).toBeGreaterThan(0);
  });

  it('copies every table in one transaction, row counts equal table by table, and never prints the password', async () => {
    const code = await runMigrateToPostgresCommand(['--from', h.config.databasePath, '--to', targetUrl], { ...ENV, databasePath: '/nowhere', now: new Date() }, (l) =>
      output.push(l),
    );
    const text = output.join('\n');
    expect({ code, text }).toEqual({ code: 0, text: expect.stringContaining('row counts match') as string });
    expect(text).not.toContain(PASSWORD);
    expect(await postgresCounts(target.url)).toEqual(sqliteBefore);
    // the printed table names each table with both counts
    for (const table of TABLES) expect(text).toMatch(new RegExp(`\\b${table}\\s+${sqliteBefore[table]}\\s+${sqliteBefore[table]}\\b`));
    // TypeORM's own table is the target's, written by its migrations, not copied
    expect((await pgQuery<{ n: number }>(target.url, 'SELECT COUNT(*) AS n FROM migrations'))[0].n).toBeGreaterThan(0);
  });

  it('converts what the drivers store differently: UTC datetime text → timestamptz, 0/1 → booleans, JSON text stays text', async () => {
    const [link] = await queryDb<{ id: number; createdAt: string }>(h.config.databasePath, 'SELECT id, createdAt FROM user_link ORDER BY id LIMIT 1');
    const [copied] = await pgQuery<{ createdAt: string }>(target.url, 'SELECT "createdAt" FROM user_link WHERE id = $1', [link.id]);
    expect(Date.parse(copied.createdAt)).toBe(sqliteDateMs(link.createdAt));
    const perks = await pgQuery<{ perkId: string; enabled: boolean; isWalletPerk: boolean }>(target.url, 'SELECT "perkId", enabled, "isWalletPerk" FROM perk');
    expect(perks).toEqual(expect.arrayContaining([{ perkId: WALLET_PERK, enabled: true, isWalletPerk: true }]));
    const [event] = await pgQuery<{ payload: unknown }>(target.url, 'SELECT payload FROM inbound_event ORDER BY id LIMIT 1');
    expect(typeof event.payload).toBe('string');
    expect(() => JSON.parse(event.payload as string) as unknown).not.toThrow();
    // identity sequences continue after the copied ids
    const [{ max }] = await pgQuery<{ max: number }>(target.url, 'SELECT MAX(id) AS max FROM inbound_event');
    const [{ next }] = await pgQuery<{ next: number }>(target.url, "SELECT nextval(pg_get_serial_sequence('inbound_event', 'id')) AS next");
    expect(next).toBe(max + 1);
  });

  it('refuses a target that already holds data, and changes nothing there', async () => {
    const lines: string[] = [];
    const code = await runMigrateToPostgresCommand(['--from', h.config.databasePath, '--to', targetUrl], { ...ENV, databasePath: '/nowhere', now: new Date() }, (l) =>
      lines.push(l),
    );
    expect(code).toBe(1);
    expect(lines.join('\n')).toMatch(/The target is not empty: user_link \(\d+ rows\)/);
    expect(lines.join('\n')).not.toContain(PASSWORD);
    expect(await postgresCounts(target.url)).toEqual(sqliteBefore);
  });

  it('a connector on the Postgres copy carries on from its cursors: a new order is exactly one purchase, no earlier one twice', async () => {
    const purchasesBefore = h.crm.purchases().length;
    const journalsBefore = h.crm.journals().length;
    await h.start({ DATABASE_URL: target.url });
    expect(h.config.databaseUrl).toBe(target.url);
    await settle(h);
    // nothing re-bought or re-mirrored by reading the feeds again
    expect(h.crm.purchases()).toHaveLength(purchasesBefore);
    expect(h.crm.journals()).toHaveLength(journalsBefore);

    h.pepper.completeOrder(users[2], { orderId: 'after-switch', total: '4.00', items: ITEMS });
    await settle(h);
    const purchases = h.crm.purchases();
    expect(purchases.filter((p) => p.referenceNumber?.endsWith(':order:after-switch'))).toHaveLength(1);
    expect(purchases).toHaveLength(purchasesBefore + 1);
    const refs = purchases.map((p) => p.referenceNumber);
    expect(new Set(refs).size).toBe(refs.length);
    for (let i = 0; i < 6; i++) expect(refs.filter((r) => r?.endsWith(`:order:before-${i}`))).toHaveLength(1);
    // the new event went into Postgres after the copied ones
    const events = await pgQuery<{ id: number; externalId: string; state: string }>(target.url, 'SELECT id, "externalId", state FROM inbound_event ORDER BY id');
    expect(events.length).toBeGreaterThan(sqliteBefore.inbound_event);
    expect(events.slice(0, sqliteBefore.inbound_event).map((e) => e.id)).toEqual(
      (await queryDb<{ id: number }>(h.config.databasePath, 'SELECT id FROM inbound_event ORDER BY id')).map((e) => e.id),
    );
  });

  it('runs as a CLI (DATABASE_PATH, DATABASE_URL from the environment): exit 0 and the table of counts', async () => {
    await h.stop();
    const second = await createTestSchema('mig');
    try {
      const cwd = mkdtempSync(join(tmpdir(), 'migrate-cli-cwd-'));
      const repo = resolve(__dirname, '..');
      const child = spawn(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), join(repo, 'src/cli/migrate-to-postgres.ts')], {
        cwd,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? cwd,
          TS_NODE_PROJECT: join(repo, 'tsconfig.json'),
          DATABASE_PATH: h.config.databasePath,
          DATABASE_URL: withPassword(second.url),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
      expect({ code, out }).toEqual({ code: 0, out: expect.stringContaining('row counts match') as string });
      expect(out).not.toContain(PASSWORD);
      expect(out).toMatch(/user_link\s+\d+\s+\d+/);
      expect(await postgresCounts(second.url)).toEqual(await sqliteCounts(h.config.databasePath));
    } finally {
      await second.drop();
    }
  });

  it('rolls the whole copy back when a value cannot be converted: nothing is committed', async () => {
    // the last test: spoils the (stopped) SQLite database
    await writeDb(h.config.databasePath, "UPDATE perk SET enabled = 'maybe'");
    const third = await createTestSchema('mig');
    try {
      const lines: string[] = [];
      const code = await runMigrateToPostgresCommand(['--from', h.config.databasePath, '--to', withPassword(third.url)], { ...ENV, databasePath: '/nowhere', now: new Date() }, (l) =>
        lines.push(l),
      );
      expect(code).toBe(1);
      expect(lines.join('\n')).toMatch(/Migration failed, nothing was committed .*perk\.enabled holds "maybe", not a boolean/);
      expect(lines.join('\n')).not.toContain(PASSWORD);
      // tables earlier in the order than perk were copied inside the transaction, and rolled back with it
      expect(Object.values(await postgresCounts(third.url)).every((n) => n === 0)).toBe(true);
    } finally {
      await third.drop();
    }
  });
});
