import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { dialectOf, placeholders } from '../dialect';

export type StoredMode = 'live' | 'shadow';

/**
 * Which SYNC_MODE the database last ran in, and the reset that makes the first live start after a rehearsal a real
 * first start: links, events, conflicts, mirrors and cursors derived in shadow mode go; the shadow writes stay for
 * reference (they were never sent, and nothing counts them).
 */
@Injectable()
export class SyncModeStore {
  constructor(private readonly dataSource: DataSource) {}

  async stored(): Promise<StoredMode | null> {
    const rows: Array<{ cursor: string | null }> = await this.dataSource.query(`SELECT "cursor" FROM "sync_state" WHERE "feed" = 'sync.mode'`);
    const value = rows[0]?.cursor;
    if (value === 'live' || value === 'shadow') return value;
    // A database from before SYNC_MODE that has linked anyone has run live.
    const linked: Array<{ n: number }> = await this.dataSource.query(`SELECT COUNT(*) AS "n" FROM "user_link"`);
    return Number(linked[0]?.n ?? 0) > 0 ? 'live' : null;
  }

  /** One statement (an upsert): several instances starting at once on PostgreSQL must not collide. */
  async remember(mode: StoredMode): Promise<void> {
    await this.dataSource.query(
      placeholders(
        dialectOf(this.dataSource),
        `INSERT INTO "sync_state" ("feed", "cursor", "stage", "failureCount", "updatedAt") VALUES ('sync.mode', ?, 'IDLE', 0, CURRENT_TIMESTAMP)
         ON CONFLICT ("feed") DO UPDATE SET "cursor" = excluded."cursor", "updatedAt" = CURRENT_TIMESTAMP`,
      ),
      [mode],
    );
  }

  /** Everything a shadow run derived, in one transaction; the shadow writes and the run history stay. */
  async resetAfterRehearsal(): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      for (const table of ['user_link', 'conflict', 'inbound_event', 'award_mirror']) await tx.query(`DELETE FROM "${table}"`);
      await tx.query(`DELETE FROM "outbound_write" WHERE "state" != 'SHADOW'`);
      await tx.query(`DELETE FROM "sync_state" WHERE "feed" != 'sync.mode'`);
    });
  }
}
