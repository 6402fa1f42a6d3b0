import { MigrationInterface, QueryRunner } from 'typeorm';
import { ddl } from '../dialect';

/**
 * Opening balances from the seed's contact index (README "Performance"):
 * - contact_index.walletBalanceMinor / walletReadAt: the wallet balance the contact list showed and when that page
 *   was read; the balance is cleared when a journal for the contact is taken in before the contact is linked;
 * - contact_index.walletId is indexed (journals that name only a wallet find their contact by it);
 * - user_link.walletOpeningAt: the moment of the wallet balance the opening used; CRM.COM journals at or before it are
 *   inside the opening balance (null: `openingAt`, as before).
 */
export class ListedWalletBalances1766900000000 implements MigrationInterface {
  name = 'ListedWalletBalances1766900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "contact_index" ADD COLUMN "walletBalanceMinor" integer`);
    await q.query(ddl(q, `ALTER TABLE "contact_index" ADD COLUMN "walletReadAt" datetime`));
    await q.query(`CREATE INDEX "IDX_contact_index_wallet" ON "contact_index" ("walletId")`);
    await q.query(ddl(q, `ALTER TABLE "user_link" ADD COLUMN "walletOpeningAt" datetime`));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "user_link" DROP COLUMN "walletOpeningAt"`);
    await q.query(`DROP INDEX "IDX_contact_index_wallet"`);
    await q.query(`ALTER TABLE "contact_index" DROP COLUMN "walletReadAt"`);
    await q.query(`ALTER TABLE "contact_index" DROP COLUMN "walletBalanceMinor"`);
  }
}
