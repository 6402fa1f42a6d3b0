import { MigrationInterface, QueryRunner } from 'typeorm';
import { ddl, dialectOf } from '../dialect';

export class Loyalty1764100000000 implements MigrationInterface {
  name = 'Loyalty1764100000000';

  async up(q: QueryRunner): Promise<void> {
    // SQLite keeps booleans as 0/1; Postgres has a boolean type whose default is spelled false.
    const no = dialectOf(q) === 'postgres' ? 'false' : '(0)';
    await q.query(ddl(q, `CREATE TABLE "perk" (
      "perkId" varchar PRIMARY KEY NOT NULL, "template" varchar NOT NULL, "title" varchar NOT NULL,
      "enabled" boolean NOT NULL, "isWalletPerk" boolean NOT NULL DEFAULT ${no},
      "updatedAt" datetime NOT NULL DEFAULT (datetime('now')))`));
    await q.query(ddl(q, `CREATE TABLE "award_mirror" (
      "awardId" varchar PRIMARY KEY NOT NULL, "pepperUserId" varchar NOT NULL, "perkId" varchar NOT NULL,
      "pointsAvailable" integer NOT NULL, "asOf" varchar NOT NULL,
      "updatedAt" datetime NOT NULL DEFAULT (datetime('now')))`));
    await q.query(`CREATE INDEX "IDX_award_mirror_user_perk" ON "award_mirror" ("pepperUserId", "perkId")`);
    await q.query(ddl(q, `CREATE TABLE "settings_pin" (
      "name" varchar PRIMARY KEY NOT NULL, "value" varchar NOT NULL, "pinnedAt" datetime NOT NULL DEFAULT (datetime('now')))`));
    for (const column of ['"perkId" varchar', '"awardId" varchar', '"balanceAfter" integer', '"matchedActionId" varchar']) {
      await q.query(`ALTER TABLE "outbound_write" ADD COLUMN ${column}`);
    }
    await q.query(`CREATE INDEX "IDX_outbound_write_echo" ON "outbound_write" ("target", "pepperUserId", "kind")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "IDX_outbound_write_echo"`);
    for (const table of ['settings_pin', 'award_mirror', 'perk']) await q.query(`DROP TABLE "${table}"`);
  }
}
