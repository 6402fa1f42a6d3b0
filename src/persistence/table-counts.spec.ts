import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import type { Database } from 'better-sqlite3';
import { buildDataSourceOptions, openDataSource } from './data-source-options';
import { countRows } from './table-counts';
import { EventStore } from './stores/event.store';
import { WriteLog } from './stores/write-log.store';
import { InboundEventEntity, OutboundWriteEntity } from './entities';
import { FakeClock } from '../../test/support/fakes/fake-clock';

const T0 = new Date('2026-03-01T12:00:00.000Z');

/** The SQL texts the connection that syncs (TypeORM's own better-sqlite3 connection) prepares from now on. */
function preparedOn(source: DataSource): string[] {
  const connection = (source.driver as unknown as { databaseConnection: Database }).databaseConnection;
  const prepared: string[] = [];
  const prepare = connection.prepare.bind(connection);
  jest.spyOn(connection, 'prepare').mockImplementation((sql: string) => {
    prepared.push(sql);
    return prepare(sql);
  });
  return prepared;
}

describe('whole-table counts on SQLite', () => {
  let dir: string;
  let source: DataSource;
  let clock: FakeClock;
  let events: EventStore;
  let writes: WriteLog;

  async function open(databasePath: string): Promise<void> {
    source = await openDataSource(buildDataSourceOptions(databasePath));
    clock = new FakeClock(T0);
    events = new EventStore(source.getRepository(InboundEventEntity), clock);
    writes = new WriteLog(source.getRepository(OutboundWriteEntity), clock);
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'table-counts-'));
  });
  afterEach(async () => {
    await source?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const event = (externalId: string) => ({
    source: 'pepper' as const,
    externalId,
    type: 'ORDER_COMPLETED',
    pepperUserId: 'u1',
    payload: { id: externalId },
    occurredAt: '2026-03-01T10:00:00.000Z',
  });

  it('counts a database file on a connection of its own, not on the one that syncs, and sees what was just committed', async () => {
    await open(join(dir, 'connector.sqlite'));
    await events.recordIfNew(event('a'));
    await events.recordIfNew(event('b'));
    const prepared = preparedOn(source);

    expect(await events.countByState()).toEqual({ PENDING: 2 });
    await events.recordIfNew({ ...event('c'), state: 'DONE' });
    expect(await events.countByState()).toEqual({ PENDING: 2, DONE: 1 });

    expect(prepared.filter((sql) => /COUNT\(/i.test(sql))).toEqual([]);
  });

  it('binds dates and numbers as the query builder does: writes in doubt are those sent before the given instant', async () => {
    await open(join(dir, 'connector.sqlite'));
    const attempt = (key: string, target: 'pepper' | 'crmcom') => ({ idempotencyKey: key, target, kind: 'K', pepperUserId: 'u1', request: {} });
    await writes.begin(attempt('k1', 'crmcom'));
    clock.advance(60_000);
    const later = await writes.begin(attempt('k2', 'crmcom'));
    await writes.begin(attempt('k3', 'pepper'));
    const prepared = preparedOn(source);

    expect(await writes.countInDoubt(new Date(T0.getTime() + 30_000))).toEqual({ pepper: 0, crmcom: 1 });
    await writes.done(later, 'j1');
    expect(await writes.countInDoubt(new Date(T0.getTime() + 120_000))).toEqual({ pepper: 1, crmcom: 1 });
    expect(await countRows(source, 'SELECT COUNT(*) AS n FROM "outbound_write" WHERE "id" > :id', { id: 1 })).toEqual([{ n: 2 }]);

    expect(prepared.filter((sql) => /COUNT\(/i.test(sql))).toEqual([]);
  });

  it('answers a bad count with its error instead of waiting for ever', async () => {
    await open(join(dir, 'connector.sqlite'));
    await expect(countRows(source, 'SELECT COUNT(*) AS n FROM "no_such_table"')).rejects.toThrow(/no such table/);
    // the connection is still there for the next count
    expect(await countRows(source, 'SELECT COUNT(*) AS n FROM "inbound_event"')).toEqual([{ n: 0 }]);
  });

  it('counts an in-memory database on its only connection', async () => {
    await open(':memory:');
    await events.recordIfNew(event('a'));
    const prepared = preparedOn(source);

    expect(await events.countByState()).toEqual({ PENDING: 1 });
    expect(prepared.filter((sql) => /COUNT\(/i.test(sql))).toHaveLength(1);
  });
});
