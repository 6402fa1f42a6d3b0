import { MigrationInterface, QueryRunner } from 'typeorm';
import { ddl } from '../dialect';

const COLUMNS = ['toCrmMoneyMinor', 'toCrmPoints', 'toPepperMoneyMinor', 'toPepperPoints'];

/**
 * Adds linkedAt. The running totals of each user's movements are derived from outbound_write (one row per attempt, the
 * failed ones left out), which a crash can never leave out of step; the copies on user_link go.
 */
export class DerivedMovementTotals1764200000000 implements MigrationInterface {
  name = 'DerivedMovementTotals1764200000000';

  async up(q: QueryRunner): Promise<void> {
    for (const column of COLUMNS) await q.query(`ALTER TABLE "user_link" DROP COLUMN "${column}"`);
    // When the user was (last) linked: wallet history before it is in the opening balance.
    await q.query(ddl(q, `ALTER TABLE "user_link" ADD COLUMN "linkedAt" datetime`));
    await q.query(`UPDATE "user_link" SET "linkedAt" = "createdAt" WHERE "status" = 'LINKED'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "user_link" DROP COLUMN "linkedAt"`);
    for (const column of COLUMNS) await q.query(`ALTER TABLE "user_link" ADD COLUMN "${column}" integer NOT NULL DEFAULT 0`);
  }
}
