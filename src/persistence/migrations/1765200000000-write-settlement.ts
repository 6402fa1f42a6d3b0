import { MigrationInterface, QueryRunner } from 'typeorm';
import { ddl } from '../dialect';

/** Who settled a write in doubt by hand, and when (POST /admin/writes/:id/settle). */
export class WriteSettlement1765200000000 implements MigrationInterface {
  name = 'WriteSettlement1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "outbound_write" ADD COLUMN "settledBy" varchar`);
    await q.query(ddl(q, `ALTER TABLE "outbound_write" ADD COLUMN "settledAt" datetime`));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "outbound_write" DROP COLUMN "settledAt"`);
    await q.query(`ALTER TABLE "outbound_write" DROP COLUMN "settledBy"`);
  }
}
