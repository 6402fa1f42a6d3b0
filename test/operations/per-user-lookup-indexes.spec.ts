import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, IsNull, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { buildDataSourceOptions } from '../../src/persistence/data-source-options';
import { ConflictEntity, UserLinkEntity } from '../../src/persistence/entities';

/**
 * Lookups made once per user (the seed) or once per journal must not read a table that grows with the merchant:
 * 20,000 links and 6,000 open conflicts, then the plan of each statement as the stores build it.
 */
describe('per-user lookups at 20,000 users: they search an index, never scan the table', () => {
  let db: DataSource;

  beforeAll(async () => {
    db = new DataSource(buildDataSourceOptions(join(mkdtempSync(join(tmpdir(), 'lookups-')), 'lookups.sqlite')));
    await db.initialize();
    await db.transaction(async (tx) => {
      for (let batch = 0; batch < 20; batch++) {
        const links: string[] = [];
        const conflicts: string[] = [];
        const values: unknown[] = [];
        for (let i = 0; i < 1_000; i++) {
          const u = batch * 1_000 + i;
          links.push(`('usr_${u}', 'c_${u}', 'w_${u}', 'LINKED', 'CREATED')`);
          if (u % 10 < 3) {
            conflicts.push(`(?, 'usr_${u}', '[]', '{}', 'OPEN', ?)`);
            values.push(u % 2 === 0 ? 'EMAIL_MATCHES_SEVERAL' : 'CONTACT_LINKED_ELSEWHERE', `k_${u}`);
          }
        }
        await tx.query(`INSERT INTO "user_link" ("pepperUserId","crmContactId","crmWalletId","status","matchedBy") VALUES ${links.join(',')}`);
        await tx.query(`INSERT INTO "conflict" ("kind","pepperUserId","candidateContactIds","details","status","dedupeKey") VALUES ${conflicts.join(',')}`, values);
      }
    });
    await db.query('ANALYZE');
  }, 120_000);
  afterAll(() => db.destroy());

  const planOf = async <T extends ObjectLiteral>(query: SelectQueryBuilder<T>): Promise<string[]> => {
    const [sql, params] = query.getQueryAndParameters();
    return ((await db.query(`EXPLAIN QUERY PLAN ${sql}`, params)) as Array<{ detail: string }>).map((p) => p.detail);
  };

  it("a user's open matching conflicts (looked up whenever a user links)", async () => {
    const query = db.getRepository(ConflictEntity).createQueryBuilder().setFindOptions({
      where: { pepperUserId: 'usr_1234', status: 'OPEN' },
    });
    const plan = await planOf(query);
    expect(plan.some((d) => /SEARCH .*USING (COVERING )?INDEX \S+ \(pepperUserId=\?/.test(d))).toBe(true);
    expect(plan.filter((d) => /^SCAN /.test(d))).toEqual([]);
  });

  it("links the connector created still waiting for their wallet (asked for a journal that names only a wallet)", async () => {
    const query = db.getRepository(UserLinkEntity).createQueryBuilder().setFindOptions({
      where: { status: 'LINKED', matchedBy: 'CREATED', crmWalletId: IsNull() },
      take: 1,
    });
    const plan = await planOf(query);
    expect(plan.some((d) => /SEARCH .*USING (COVERING )?INDEX IDX_user_link_awaiting_wallet/.test(d))).toBe(true);
    expect(plan.filter((d) => /^SCAN /.test(d))).toEqual([]);
  });
});
