import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lookups made for every user or journal that scanned a growing table (README "Performance"): a user's open
 * conflicts (the status index alone read every open conflict of the merchant), and the links the connector created
 * whose wallet CRM.COM has not shown yet (a partial index: it holds only those few rows).
 */
export class PerUserLookupIndexes1766800000000 implements MigrationInterface {
  name = 'PerUserLookupIndexes1766800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "IDX_conflict_user_status" ON "conflict" ("pepperUserId", "status")`);
    await q.query(`CREATE INDEX "IDX_user_link_awaiting_wallet" ON "user_link" ("matchedBy", "status") WHERE "crmWalletId" IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "IDX_user_link_awaiting_wallet"`);
    await q.query(`DROP INDEX "IDX_conflict_user_status"`);
  }
}
