import type { DataSource } from 'typeorm';
import type { Database } from 'better-sqlite3';
import { buildDataSourceOptions, openDataSource } from './data-source-options';
import { OutboundWriteEntity } from './entities';

/** The statements better-sqlite3 compiles on this data source's connection, by SQL text. */
function countPrepares(source: DataSource): string[] {
  const connection = (source.driver as unknown as { databaseConnection: Database }).databaseConnection;
  const prepared: string[] = [];
  const prepare = connection.prepare.bind(connection);
  connection.prepare = ((sql: string) => {
    prepared.push(sql);
    return prepare(sql);
  }) as Database['prepare'];
  return prepared;
}

describe('the SQLite data source', () => {
  let source: DataSource;

  beforeEach(async () => {
    source = await openDataSource(buildDataSourceOptions(':memory:'));
  });

  afterEach(() => source.destroy());

  async function insertWrite(key: string): Promise<OutboundWriteEntity> {
    const repo = source.getRepository(OutboundWriteEntity);
    return repo.save(repo.create({ idempotencyKey: key, target: 'crmcom', kind: 'CONTACT_CREATE', request: {}, state: 'PENDING', sentAt: new Date() }));
  }

  it('binds integer parameters, so an update by id is one statement for every row, not one per id', async () => {
    const [first, second] = [await insertWrite('k1'), await insertWrite('k2')];
    const prepared = countPrepares(source);
    const repo = source.getRepository(OutboundWriteEntity);
    await repo.update({ id: first.id }, { state: 'DONE', upstreamId: 'c-1' });
    await repo.update({ id: second.id }, { state: 'DONE', upstreamId: 'c-2' });

    expect(prepared.filter((sql) => sql.startsWith('UPDATE'))).toHaveLength(1);
    expect((await repo.findOneByOrFail({ id: second.id })).upstreamId).toBe('c-2');
    expect((await repo.findOneByOrFail({ id: first.id })).upstreamId).toBe('c-1');
  });

  it('stores and reads bound integers as before: integers in integer columns, their digits in text columns', async () => {
    const write = await insertWrite('k3');
    const repo = source.getRepository(OutboundWriteEntity);
    await repo.update({ id: write.id }, { points: 250, amountMinor: -1_999, upstreamId: 42 as unknown as string });

    const [row] = await source.query('SELECT typeof("points") AS p, typeof("upstreamId") AS u, "upstreamId" AS id FROM "outbound_write" WHERE "idempotencyKey" = ?', ['k3']);
    expect(row).toEqual({ p: 'integer', u: 'text', id: '42' });
    const read = await repo.findOneByOrFail({ id: write.id });
    expect([read.points, read.amountMinor]).toEqual([250, -1_999]);
    expect(typeof read.id).toBe('number');
  });
});
