import { MigrationInterface, QueryRunner } from 'typeorm';
import { ddl } from '../dialect';

/** Segments mirrored into Pepper, app notifications sent, products written to CRM.COM (design §9). */
export class AudiencesProducts1766300000000 implements MigrationInterface {
  name = 'AudiencesProducts1766300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(ddl(q, `CREATE TABLE "segment_mirror" (
      "source" varchar PRIMARY KEY NOT NULL, "kind" varchar NOT NULL, "externalId" varchar NOT NULL, "name" varchar NOT NULL,
      "origin" varchar NOT NULL, "enabled" boolean NOT NULL DEFAULT (1), "pepperSegmentId" varchar,
      "generation" integer NOT NULL DEFAULT 0, "lastRun" text,
      "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "updatedAt" datetime NOT NULL DEFAULT (datetime('now')))`));
    await q.query(ddl(q, `CREATE TABLE "notification" (
      "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "key" varchar NOT NULL, "kind" varchar NOT NULL,
      "pepperUserId" varchar, "crmContactId" varchar, "pepperSegmentId" varchar, "source" varchar,
      "title" varchar, "message" varchar NOT NULL, "isProcessingMessage" boolean NOT NULL,
      "state" varchar NOT NULL, "pepperNotificationId" varchar, "pepperStatus" varchar,
      "sent" integer, "failures" integer, "skipped" integer, "error" varchar, "actor" varchar,
      "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "updatedAt" datetime NOT NULL DEFAULT (datetime('now')))`));
    await q.query(`CREATE UNIQUE INDEX "UQ_notification_key" ON "notification" ("key")`);
    await q.query(ddl(q, `CREATE TABLE "product_sync" (
      "productId" varchar PRIMARY KEY NOT NULL, "name" varchar NOT NULL, "hash" varchar NOT NULL,
      "crmProductId" varchar, "endedAt" datetime, "syncedAt" datetime NOT NULL)`));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "product_sync"`);
    await q.query(`DROP INDEX "UQ_notification_key"`);
    await q.query(`DROP TABLE "notification"`);
    await q.query(`DROP TABLE "segment_mirror"`);
  }
}
