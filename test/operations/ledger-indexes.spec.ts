import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/persistence/data-source-options';

/**
 * The write ledger is never pruned, so its hot queries must stay on indexes as it grows: 200,000 rows (2,000 users of
 * 100 writes each), then each query's plan. Timings are printed for the record, never asserted.
 */
describe('the write ledger at 200,000 rows: hot queries use indexes', () => {
  let db: DataSource;
  const USERS = 2_000;
  const PER_USER = 100;
  const timings: Record<string, string> = {};

  beforeAll(async () => {
    db = new DataSource(buildDataSourceOptions(join(mkdtempSync(join(tmpdir(), 'ledger-')), 'ledger.sqlite')));
    await db.initialize();
    const states = ['DONE', 'DONE', 'DONE', 'FAILED', 'PENDING', 'UNKNOWN', 'SHADOW'];
    await db.transaction(async (tx) => {
      for (let u = 0; u < USERS; u++) {
        const values: unknown[] = [];
        const rows: string[] = [];
        for (let i = 0; i < PER_USER; i++) {
          const pepper = i % 2 === 0;
          const key = pepper ? `pepper:app:award:usr_${u}:act_${i >> 1}` : `crmcom:app:journal:usr_${u}:ord_${i >> 1}`;
          rows.push('(?,?,?,?,?,?,?,?,?,?,?,?)');
          values.push(key, pepper ? 'pepper' : 'crmcom', pepper ? (i % 4 === 0 ? 'GRANT' : 'REDEEM') : 'JOURNAL', `usr_${u}`, i * 10, i * 5,
            states[i % states.length], '2026-01-01 00:00:00.000', pepper ? null : `jrn_${u}_${i}`, i % 3 === 0 ? `act_${u}_${i}` : null,
            '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000');
        }
        await tx.query(
          `INSERT INTO "outbound_write" ("idempotencyKey","target","kind","pepperUserId","points","amountMinor","state","sentAt","upstreamId",` +
            `"matchedActionId","createdAt","updatedAt") VALUES ${rows.join(',')}`,
          values,
        );
      }
    });
    await db.query('ANALYZE');
  }, 120_000);
  afterAll(async () => {
    await db.destroy();
    process.stdout.write(`ledger query timings at ${USERS * PER_USER} rows (ms, mean of 50):\n${JSON.stringify(timings, null, 2)}\n`);
  });

  const QUERIES: Array<[name: string, sql: string, params: unknown[]]> = [
    [
      'echo candidates',
      `SELECT * FROM "outbound_write" WHERE "target" = 'pepper' AND "pepperUserId" = ? AND "kind" = ? AND "state" IN ('PENDING','UNKNOWN','DONE') ` +
        `AND "matchedActionId" IS NULL ORDER BY "sentAt" ASC, "id" ASC`,
      ['usr_1234', 'GRANT'],
    ],
    [
      'movedTotal',
      `SELECT SUM(v) AS total FROM (SELECT MAX("points") AS v FROM "outbound_write" WHERE "pepperUserId" = ? AND substr("idempotencyKey", 1, ?) = ? ` +
        `AND "idempotencyKey" != ? AND "state" NOT IN ('FAILED', 'SHADOW') GROUP BY "idempotencyKey")`,
      ['usr_1234', 'pepper:app:award:usr_1234:'.length, 'pepper:app:award:usr_1234:', 'pepper:app:award:usr_1234:act_7'],
    ],
    ['attemptsFor', `SELECT * FROM "outbound_write" WHERE "idempotencyKey" = ? ORDER BY "id" ASC`, ['crmcom:app:journal:usr_1234:ord_7']],
    ['unsettled', `SELECT * FROM "outbound_write" WHERE "idempotencyKey" = ? AND "state" IN ('PENDING','UNKNOWN') ORDER BY "id" ASC`, ['crmcom:app:journal:usr_1234:ord_7']],
    ['hasUnsettledFor', `SELECT COUNT(*) AS n FROM "outbound_write" WHERE "pepperUserId" = ? AND "state" IN ('PENDING','UNKNOWN')`, ['usr_1234']],
    ['findMatchedBy', `SELECT * FROM "outbound_write" WHERE "matchedActionId" = ? LIMIT 1`, ['act_42']],
    ['ownUpstreamIds', `SELECT "upstreamId" FROM "outbound_write" WHERE "target" = 'crmcom' AND "upstreamId" IN (?, ?)`, ['j-1', 'j-2']],
  ];

  it.each(QUERIES)('%s: EXPLAIN QUERY PLAN searches an index, never scans the table', async (name, sql, params) => {
    const plan = (await db.query(`EXPLAIN QUERY PLAN ${sql}`, params)) as Array<{ detail: string }>;
    const details = plan.map((p) => p.detail);
    expect(details.some((d) => /SEARCH .*outbound_write.* USING (COVERING )?INDEX/.test(d))).toBe(true);
    expect(details.filter((d) => /^SCAN (TABLE )?outbound_write\b/.test(d))).toEqual([]);
    const started = process.hrtime.bigint();
    for (let i = 0; i < 50; i++) await db.query(sql, params);
    timings[name] = (Number(process.hrtime.bigint() - started) / 1e6 / 50).toFixed(3);
    timings[`${name} plan`] = details.join(' | ');
  });
});
