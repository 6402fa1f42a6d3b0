import { MigrationInterface, QueryRunner } from 'typeorm';
import { ddl } from '../dialect';

/** An operator's resolution claims the conflict first, so two resolutions of one conflict cannot both run. */
export class ConflictClaim1765200000001 implements MigrationInterface {
  name = 'ConflictClaim1765200000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "conflict" ADD COLUMN "claimedBy" varchar`);
    await q.query(ddl(q, `ALTER TABLE "conflict" ADD COLUMN "claimedAt" datetime`));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "conflict" DROP COLUMN "claimedAt"`);
    await q.query(`ALTER TABLE "conflict" DROP COLUMN "claimedBy"`);
  }
}
