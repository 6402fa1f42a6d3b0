import { DataSource } from 'typeorm';
import { Retention, RETENTION_BATCH } from '../../src/operations/retention/retention';
import { SyncJobs } from '../../src/sync/sync-jobs';
import { FakeClock } from '../support/fakes/fake-clock';
import { Harness, startHarness } from '../support/harness';
import { rawQuery } from '../../src/persistence/dialect';

const DAY = 24 * 60 * 60 * 1000;
/** how TypeORM writes a datetime to SQLite */
const sqlTime = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '');

describe('retention: pruning keeps what sweeps and waiting flows need (e2e)', () => {
  let h: Harness;
  const clock = new FakeClock(new Date());
  let db: DataSource;

  beforeAll(async () => {
    h = await startHarness({
      clock,
      env: { RETENTION_DAYS: '30', PEPPER_SWEEP_HOURS: '24', CRMCOM_SWEEP_HOURS: '48' },
      seed: (pepper) => {
        for (let i = 0; i < 3; i++) pepper.addUser({ firstName: 'Ret', lastName: `User${i}`, email: `ret${i}@demo.example` });
      },
    });
    await h.idle();
    await (await h.app.get(SyncJobs).startActionsPoll('ADMIN')).done;
    db = h.app.get(DataSource);
  });
  afterAll(() => h.close());

  let seq = 0;
  async function event(state: string, occurredDaysAgo: number, settledDaysAgo: number, type = 'ORDER_COMPLETED', source = 'pepper'): Promise<string> {
    const externalId = `ret-${state}-${seq++}`;
    const now = clock.nowMs();
    await rawQuery(
      db,
      `INSERT INTO "inbound_event" ("source","externalId","type","pepperUserId","payload","occurredAt","state","attempts","createdAt","updatedAt") ` +
        `VALUES (?,?,?,?,?,?,?,0,?,?)`,
      [source, externalId, type, null, '{}', new Date(now - occurredDaysAgo * DAY).toISOString(), state, sqlTime(new Date(now - settledDaysAgo * DAY)), sqlTime(new Date(now - settledDaysAgo * DAY))],
    );
    return externalId;
  }
  async function run(job: string, startedDaysAgo: number, state = 'DONE'): Promise<string> {
    const runId = `ret-run-${seq++}`;
    const started = new Date(clock.nowMs() - startedDaysAgo * DAY);
    await rawQuery(db, `INSERT INTO "sync_run" ("runId","job","trigger","state","startedAt","finishedAt","counts") VALUES (?,?,?,?,?,?,?)`, [
      runId, job, 'SCHEDULE', state, sqlTime(started), sqlTime(started), '{}',
    ]);
    return runId;
  }
  const exists = async (externalId: string) => ((await rawQuery(db, `SELECT 1 FROM "inbound_event" WHERE "externalId" = ?`, [externalId])) as unknown[]).length === 1;
  const runExists = async (runId: string) => ((await rawQuery(db, `SELECT 1 FROM "sync_run" WHERE "runId" = ?`, [runId])) as unknown[]).length === 1;
  const count = async (table: string) => Number((await db.query(`SELECT COUNT(*) AS n FROM "${table}"`))[0].n);

  it('prunes old settled events (in batches) and old runs; keeps waiting, parked, recent, opening balances, the last run of each job and the ledger', async () => {
    // the longest sweep is 48 h: events settled and occurred before 48 h + 30 days ago go
    const pruned = [await event('DONE', 40, 40), await event('SKIPPED', 33, 33, 'CREDIT', 'crmcom')];
    const bulk: string[] = [];
    for (let i = 0; i < RETENTION_BATCH * 2 + 7; i++) bulk.push(await event('DONE', 50, 50));
    const kept = {
      insideSweepPlusRetention: await event('DONE', 31, 31), // 31 days < 2 + 30
      occurredLongAgoButSettledLately: await event('DONE', 40, 1),
      pending: await event('PENDING', 90, 90),
      waitingLink: await event('WAITING_LINK', 90, 90),
      parked: await event('FAILED', 90, 90),
      openingBalance: await event('DONE', 90, 90, 'OPENING_BALANCE'),
      recent: await event('DONE', 0.5, 0.5),
    };
    const oldPoll = await run('actions-poll', 45);
    const oldReconcileIsItsLast = await run('reconcile', 45);
    const oldRunning = await run('journals-sweep', 45, 'RUNNING');
    const recentRun = await run('actions-poll', 1);
    const writesBefore = await count('outbound_write');
    const eventsBefore = await count('inbound_event');

    const counts = await h.app.get(Retention).pruneNow();

    expect(counts).toMatchObject({ events: pruned.length + bulk.length, runs: 1 });
    for (const id of [...pruned, bulk[0], bulk[bulk.length - 1]]) expect(await exists(id)).toBe(false);
    for (const [name, id] of Object.entries(kept)) expect({ name, kept: await exists(id) }).toEqual({ name, kept: true });
    expect(await count('inbound_event')).toBe(eventsBefore - pruned.length - bulk.length);
    expect(await runExists(oldPoll)).toBe(false);
    expect(await runExists(oldReconcileIsItsLast)).toBe(true);
    expect(await runExists(oldRunning)).toBe(true);
    expect(await runExists(recentRun)).toBe(true);
    expect(await count('outbound_write')).toBe(writesBefore);

    // over HTTP: the parked event is still listed, and status still shows each job's last run
    const failed = (await h.admin.get('/admin/failed-events').expect(200)).body.items as Array<{ externalId: string }>;
    expect(failed.map((f) => f.externalId)).toContain(kept.parked);
    const status = (await h.admin.get('/admin/status').expect(200)).body;
    expect(status.jobs.reconcile).toMatchObject({ runId: oldReconcileIsItsLast });
  });

  it('a sweep after pruning re-takes nothing: the events its window can still see were kept', async () => {
    const sweep = async () => {
      await (await h.app.get(SyncJobs).tick('actions-sweep', { reconcileDryRun: true }))?.done;
      await h.idle();
    };
    clock.advance(60_000);
    await sweep(); // takes in whatever the poll left (the users' own actions), settled
    const eventsBefore = await count('inbound_event');
    const writesBefore = await count('outbound_write');
    expect(await db.query(`SELECT 1 FROM "inbound_event" WHERE "type" LIKE 'USER_%' AND "state" IN ('DONE', 'SKIPPED')`)).not.toHaveLength(0);
    expect((await h.app.get(Retention).pruneNow()).events).toBe(0);
    await sweep();
    expect(await count('inbound_event')).toBe(eventsBefore);
    expect(await count('outbound_write')).toBe(writesBefore);
  });

  it('a month later the same events are pruned once they are out of every window', async () => {
    const before = await count('inbound_event');
    clock.advance(35 * DAY);
    const counts = await h.app.get(Retention).pruneNow();
    expect(counts.events).toBeGreaterThan(0);
    const left = (await db.query(`SELECT "state", "type" FROM "inbound_event"`)) as Array<{ state: string; type: string }>;
    expect(left.length).toBe(before - counts.events);
    // what remains is unsettled, an opening balance, or settled lately (by the real clock TypeORM writes updatedAt with)
    expect(left.filter((e) => ['PENDING', 'WAITING_LINK', 'FAILED'].includes(e.state)).length).toBe(3);
    expect(left.some((e) => e.type === 'OPENING_BALANCE')).toBe(true);
  });
});
