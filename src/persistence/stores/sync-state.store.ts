import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { FeedName, SyncStateEntity } from '../entities';
import { NO_TRANSACTION } from './no-transaction';
import { TableRows } from '../table-rows';

@Injectable()
export class SyncStateStore {
  /** the reads made for every new user of a seed (table-rows.ts) */
  private readonly rows: TableRows<SyncStateEntity>;

  constructor(@InjectRepository(SyncStateEntity) private readonly repo: Repository<SyncStateEntity>) {
    this.rows = new TableRows(repo);
  }

  async get(feed: FeedName): Promise<SyncStateEntity | null> {
    return this.rows.selectOne('"feed" = ?', [feed]);
  }

  /** Several feeds' states in one read (absent ones are left out). */
  async getMany(feeds: readonly FeedName[]): Promise<Map<FeedName, SyncStateEntity>> {
    if (feeds.length === 0) return new Map();
    const rows = await this.rows.select(`"feed" IN (${feeds.map(() => '?').join(', ')})`, feeds);
    return new Map(rows.map((row) => [row.feed, row]));
  }

  async update(feed: FeedName, fields: Partial<Omit<SyncStateEntity, 'feed'>>): Promise<void> {
    const existing = await this.get(feed);
    await this.repo.save(existing ? Object.assign(existing, fields) : this.repo.create({ feed, ...fields }), NO_TRANSACTION);
  }

  /** Sets the cursor only if the feed has none yet (first start). */
  async initialiseCursor(feed: FeedName, cursor: string, startedAt: Date | null = null): Promise<void> {
    const existing = await this.get(feed);
    if (!existing || existing.cursor === null) await this.update(feed, startedAt ? { cursor, startedAt } : { cursor });
  }

  all(): Promise<SyncStateEntity[]> {
    return this.repo.find({ order: { feed: 'ASC' } });
  }
}
