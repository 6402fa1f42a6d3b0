import { MigrationInterface, QueryRunner } from 'typeorm';
import { ddl } from '../dialect';

/** The local contact index the seed matches against (README "Performance"). */
export class ContactIndex1766700000000 implements MigrationInterface {
  name = 'ContactIndex1766700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      ddl(q, `CREATE TABLE "contact_index" ("contactId" varchar PRIMARY KEY NOT NULL, "code" varchar, "email" varchar, "phoneNumber" varchar, ` +
        `"firstName" varchar, "lastName" varchar, "walletId" varchar, "emailOptOut" boolean NOT NULL DEFAULT (0), ` +
        `"smsOptOut" boolean NOT NULL DEFAULT (0), "createdOn" integer)`),
    );
    await q.query(`CREATE INDEX "IDX_contact_index_code" ON "contact_index" ("code")`);
    await q.query(`CREATE INDEX "IDX_contact_index_email" ON "contact_index" ("email")`);
    await q.query(`CREATE INDEX "IDX_contact_index_phone" ON "contact_index" ("phoneNumber")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "IDX_contact_index_phone"`);
    await q.query(`DROP INDEX "IDX_contact_index_email"`);
    await q.query(`DROP INDEX "IDX_contact_index_code"`);
    await q.query(`DROP TABLE "contact_index"`);
  }
}
