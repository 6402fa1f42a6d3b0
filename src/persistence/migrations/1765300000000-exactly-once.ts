import { MigrationInterface, QueryRunner } from 'typeorm';
import { ddl } from '../dialect';

/**
 * Exactly-once bookkeeping:
 * - inbound_event.movementPoints: the points a movement stands for, stored before any upstream call, so a retry
 *   sends the same movement (a reset's difference cannot be recomputed once the mirror moved);
 * - inbound_event.waitingSince: when an event started waiting (for a link, an echo, an opening balance, loyalty),
 *   so every wait is bounded and a waiting event never holds a feed's cursor;
 * - user_link.openingAt: the moment the user's opening balances were read; wallet movements at or before it are
 *   inside the opening balance;
 * - outbound_write.gaveUpAt: a Pepper attempt given up because the feed showed no echo (an echo that still comes
 *   is a conflict, never an earning).
 * The actions feed gets the recorded start the journal feed already has (the first seed's start).
 */
export class ExactlyOnce1765300000000 implements MigrationInterface {
  name = 'ExactlyOnce1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "inbound_event" ADD COLUMN "movementPoints" integer`);
    await q.query(ddl(q, `ALTER TABLE "inbound_event" ADD COLUMN "waitingSince" datetime`));
    await q.query(ddl(q, `ALTER TABLE "user_link" ADD COLUMN "openingAt" datetime`));
    await q.query(ddl(q, `ALTER TABLE "outbound_write" ADD COLUMN "gaveUpAt" datetime`));
    // Users whose opening balance was already queued: their opening point is the moment of linking.
    await q.query(
      `UPDATE "user_link" SET "openingAt" = "linkedAt" WHERE "status" = 'LINKED' AND EXISTS (
         SELECT 1 FROM "inbound_event" e WHERE e."externalId" = 'opening:' || "user_link"."pepperUserId" || ':' || "user_link"."crmContactId")`,
    );
    await q.query(
      `UPDATE "sync_state" SET "startedAt" = (SELECT "startedAt" FROM "sync_state" WHERE "feed" = 'crmcom.journals')
       WHERE "feed" = 'pepper.actions' AND "startedAt" IS NULL`,
    );
    await q.query(`CREATE INDEX "IDX_inbound_event_waiting" ON "inbound_event" ("source", "state", "waitingSince")`);
    await q.query(`CREATE INDEX "IDX_inbound_event_user_state" ON "inbound_event" ("pepperUserId", "state")`);
    await q.query(`CREATE INDEX "IDX_outbound_write_user_state" ON "outbound_write" ("pepperUserId", "state")`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const index of ['IDX_inbound_event_waiting', 'IDX_inbound_event_user_state', 'IDX_outbound_write_user_state']) {
      await q.query(`DROP INDEX "${index}"`);
    }
    await q.query(`ALTER TABLE "outbound_write" DROP COLUMN "gaveUpAt"`);
    await q.query(`ALTER TABLE "user_link" DROP COLUMN "openingAt"`);
    await q.query(`ALTER TABLE "inbound_event" DROP COLUMN "waitingSince"`);
    await q.query(`ALTER TABLE "inbound_event" DROP COLUMN "movementPoints"`);
  }
}
