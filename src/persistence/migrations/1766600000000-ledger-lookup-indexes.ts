import { MigrationInterface, QueryRunner } from 'typeorm';

/** The ledger's remaining hot lookups: an echo by the action that claimed it, the connector's own journals by id. */
export class LedgerLookupIndexes1766600000000 implements MigrationInterface {
  name = 'LedgerLookupIndexes1766600000000';

  async up(q: QueryRunner): Promise<void> {
    // Partial: the echo-candidate query asks for rows without a match and must keep its own index.
    await q.query(`CREATE INDEX "IDX_outbound_write_matched_action" ON "outbound_write" ("matchedActionId") WHERE "matchedActionId" IS NOT NULL`);
    await q.query(`CREATE INDEX "IDX_outbound_write_target_upstream" ON "outbound_write" ("target", "upstreamId")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "IDX_outbound_write_target_upstream"`);
    await q.query(`DROP INDEX "IDX_outbound_write_matched_action"`);
  }
}
