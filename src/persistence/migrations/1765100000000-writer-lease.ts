import { MigrationInterface, QueryRunner } from 'typeorm';

export class WriterLease1765100000000 implements MigrationInterface {
  name = 'WriterLease1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "lease" (
      "name" varchar PRIMARY KEY NOT NULL, "holder" varchar, "token" integer NOT NULL DEFAULT (0),
      "acquiredAt" varchar, "heartbeatAt" varchar)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "lease"`);
  }
}
