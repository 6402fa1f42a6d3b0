import { MigrationInterface, QueryRunner } from 'typeorm';
import { ddl } from '../dialect';

export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(ddl(q, `CREATE TABLE "user_link" (
      "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
      "pepperUserId" varchar NOT NULL UNIQUE,
      "crmContactId" varchar, "crmAccountId" varchar, "crmWalletId" varchar,
      "status" varchar NOT NULL, "matchedBy" varchar, "profileFingerprint" varchar,
      "toCrmMoneyMinor" integer NOT NULL DEFAULT 0, "toCrmPoints" integer NOT NULL DEFAULT 0,
      "toPepperMoneyMinor" integer NOT NULL DEFAULT 0, "toPepperPoints" integer NOT NULL DEFAULT 0,
      "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "updatedAt" datetime NOT NULL DEFAULT (datetime('now')))`));
    // One contact belongs to at most one linked user; deleted links free their contact.
    await q.query(
      `CREATE UNIQUE INDEX "UQ_user_link_linked_contact" ON "user_link" ("crmContactId") WHERE "status" = 'LINKED'`,
    );
    await q.query(`CREATE INDEX "IDX_user_link_contact" ON "user_link" ("crmContactId")`);

    await q.query(ddl(q, `CREATE TABLE "conflict" (
      "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
      "kind" varchar NOT NULL, "pepperUserId" varchar NOT NULL,
      "candidateContactIds" text NOT NULL, "details" text NOT NULL,
      "status" varchar NOT NULL, "dedupeKey" varchar NOT NULL,
      "resolution" varchar, "resolvedBy" varchar, "resolvedAt" datetime,
      "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "updatedAt" datetime NOT NULL DEFAULT (datetime('now')))`));
    await q.query(`CREATE UNIQUE INDEX "UQ_conflict_open" ON "conflict" ("dedupeKey") WHERE "status" = 'OPEN'`);
    await q.query(`CREATE INDEX "IDX_conflict_status" ON "conflict" ("status")`);

    await q.query(ddl(q, `CREATE TABLE "sync_state" (
      "feed" varchar PRIMARY KEY NOT NULL, "cursor" varchar, "stage" varchar NOT NULL DEFAULT ('IDLE'),
      "startedAt" datetime, "failureCount" integer NOT NULL DEFAULT 0, "retryAfter" datetime, "lastError" varchar,
      "updatedAt" datetime NOT NULL DEFAULT (datetime('now')))`));

    await q.query(ddl(q, `CREATE TABLE "inbound_event" (
      "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
      "source" varchar NOT NULL, "externalId" varchar NOT NULL, "type" varchar NOT NULL,
      "pepperUserId" varchar, "payload" text NOT NULL, "occurredAt" varchar NOT NULL,
      "state" varchar NOT NULL, "attempts" integer NOT NULL DEFAULT 0, "lastError" varchar, "nextAttemptAt" datetime,
      "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "updatedAt" datetime NOT NULL DEFAULT (datetime('now')))`));
    await q.query(`CREATE UNIQUE INDEX "IDX_inbound_event_source_external" ON "inbound_event" ("source", "externalId")`);
    await q.query(`CREATE INDEX "IDX_inbound_event_state" ON "inbound_event" ("state", "occurredAt")`);

    await q.query(ddl(q, `CREATE TABLE "outbound_write" (
      "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
      "idempotencyKey" varchar NOT NULL, "target" varchar NOT NULL, "kind" varchar NOT NULL,
      "pepperUserId" varchar, "points" integer, "amountMinor" integer,
      "request" text, "response" text, "state" varchar NOT NULL, "sentAt" datetime NOT NULL,
      "upstreamId" varchar, "error" varchar,
      "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "updatedAt" datetime NOT NULL DEFAULT (datetime('now')))`));
    await q.query(`CREATE INDEX "IDX_outbound_write_key" ON "outbound_write" ("idempotencyKey")`);

    await q.query(ddl(q, `CREATE TABLE "sync_run" (
      "runId" varchar PRIMARY KEY NOT NULL, "job" varchar NOT NULL, "trigger" varchar NOT NULL,
      "state" varchar NOT NULL, "startedAt" datetime NOT NULL, "finishedAt" datetime,
      "counts" text NOT NULL, "error" varchar, "actor" varchar, "params" text)`));
    await q.query(`CREATE INDEX "IDX_sync_run_job" ON "sync_run" ("job", "startedAt")`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['sync_run', 'outbound_write', 'inbound_event', 'sync_state', 'conflict', 'user_link']) {
      await q.query(`DROP TABLE "${table}"`);
    }
  }
}
