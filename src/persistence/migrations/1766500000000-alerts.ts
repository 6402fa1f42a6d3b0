import { MigrationInterface, QueryRunner } from 'typeorm';
import { ddl } from '../dialect';

/** Alerts: stored first, then posted to ALERT_WEBHOOK_URL with retries. */
export class Alerts1766500000000 implements MigrationInterface {
  name = 'Alerts1766500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      ddl(q, `CREATE TABLE "alert" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "key" varchar NOT NULL, "kind" varchar NOT NULL, ` +
        `"severity" varchar NOT NULL, "text" varchar NOT NULL, "fields" text NOT NULL, "state" varchar NOT NULL, ` +
        `"attempts" integer NOT NULL DEFAULT (0), "nextAttemptAt" datetime, "lastError" varchar, "occurrences" integer NOT NULL DEFAULT (1), ` +
        `"firstSeenAt" datetime NOT NULL, "lastSeenAt" datetime NOT NULL, "sentAt" datetime)`),
    );
    await q.query(`CREATE INDEX "IDX_alert_key_firstSeenAt" ON "alert" ("key", "firstSeenAt")`);
    await q.query(`CREATE INDEX "IDX_alert_state_nextAttemptAt" ON "alert" ("state", "nextAttemptAt")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "IDX_alert_state_nextAttemptAt"`);
    await q.query(`DROP INDEX "IDX_alert_key_firstSeenAt"`);
    await q.query(`DROP TABLE "alert"`);
  }
}
