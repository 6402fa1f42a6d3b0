import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { FeedName, SyncStateEntity } from '../entities';
import { NO_TRANSACTION } from './no-transaction';

@Injectable()
export class SyncStateStore {
  constructor(@InjectRepository(SyncStateEntity) private readonly repo: Repository<SyncStateEntity>) {}

  async get(feed: FeedName): Promise<SyncStateEntity | null> {
    return this.repo.findOneBy({ feed });
  }

  /** Several feeds' states in one read (absent ones are left out). */
  async getMany(feeds: readonly FeedName[]): Promise<Map<FeedName, SyncStateEntity>> {
    const rows = await this.repo.findBy({ feed: In([...feeds]) });
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
