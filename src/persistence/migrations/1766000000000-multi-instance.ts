import { MigrationInterface, QueryRunner } from 'typeorm';
import { ddl } from '../dialect';

/**
 * Several instances on one Postgres database (the columns exist on SQLite too: one migration history):
 * - inbound_event.claimedBy / claimedUntil: the instance working an event (a claim, renewed by its heartbeat and
 *   free once claimedUntil passes), so instances process different users and one user's events stay in order;
 *   claimedBy stays on a settled event (which instance processed it);
 * - sync_run.instance: the instance that ran it. Job leases are rows of the existing `lease` table (`job:<name>`).
 */
export class MultiInstance1766000000000 implements MigrationInterface {
  name = 'MultiInstance1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "inbound_event" ADD COLUMN "claimedBy" varchar`);
    await q.query(ddl(q, `ALTER TABLE "inbound_event" ADD COLUMN "claimedUntil" datetime`));
    await q.query(`ALTER TABLE "sync_run" ADD COLUMN "instance" varchar`);
    await q.query(`CREATE INDEX "IDX_inbound_event_due" ON "inbound_event" ("source", "state", "nextAttemptAt")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "IDX_inbound_event_due"`);
    await q.query(`ALTER TABLE "sync_run" DROP COLUMN "instance"`);
    await q.query(`ALTER TABLE "inbound_event" DROP COLUMN "claimedUntil"`);
    await q.query(`ALTER TABLE "inbound_event" DROP COLUMN "claimedBy"`);
  }
}
