import { MigrationInterface, QueryRunner } from 'typeorm';
import { ddl } from '../dialect';

/** The audit trail of admin calls that change data. */
export class AuditTrail1766100000000 implements MigrationInterface {
  name = 'AuditTrail1766100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      ddl(q, `CREATE TABLE "audit_entry" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "at" datetime NOT NULL, "actor" varchar NOT NULL, ` +
        `"action" varchar NOT NULL, "target" text, "params" text, "before" text, "after" text, "result" varchar NOT NULL, ` +
        `"status" integer NOT NULL, "error" varchar, "requestId" varchar)`),
    );
    await q.query(`CREATE INDEX "IDX_audit_entry_at" ON "audit_entry" ("at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "IDX_audit_entry_at"`);
    await q.query(`DROP TABLE "audit_entry"`);
  }
}
