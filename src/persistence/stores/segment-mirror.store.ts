import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { SegmentMirrorEntity, SegmentRunSummary, SegmentSourceOrigin, UserLinkEntity } from '../entities';
import { NO_TRANSACTION } from './no-transaction';

export interface SegmentSourceInput {
  source: string;
  kind: string;
  externalId: string;
  name: string;
  enabled: boolean;
}

/** The mirrored segments (`segment_mirror`) and the contact → user lookups a mirror run needs. */
@Injectable()
export class SegmentMirrorStore {
  constructor(
    @InjectRepository(SegmentMirrorEntity) private readonly repo: Repository<SegmentMirrorEntity>,
    @InjectRepository(UserLinkEntity) private readonly links: Repository<UserLinkEntity>,
  ) {}

  list(): Promise<SegmentMirrorEntity[]> {
    return this.repo.find({ order: { source: 'ASC' } });
  }

  get(source: string): Promise<SegmentMirrorEntity | null> {
    return this.repo.findOneBy({ source });
  }

  findByPepperSegment(pepperSegmentId: string): Promise<SegmentMirrorEntity | null> {
    return this.repo.findOneBy({ pepperSegmentId });
  }

  /**
   * Adds or updates a source. A SEGMENT_MAP entry never overrides a row an operator edited through the admin API;
   * the Pepper segment it mirrors into (and its history) is kept.
   */
  async upsert(input: SegmentSourceInput, origin: SegmentSourceOrigin): Promise<SegmentMirrorEntity> {
    const existing = await this.repo.findOneBy({ source: input.source });
    if (existing) {
      if (origin === 'config' && existing.origin === 'admin') return existing;
      existing.name = input.name;
      existing.enabled = input.enabled;
      existing.origin = origin;
      return this.repo.save(existing, NO_TRANSACTION);
    }
    return this.repo.save(
      this.repo.create({ ...input, origin, pepperSegmentId: null, generation: 0, lastRun: null }),
      NO_TRANSACTION,
    );
  }

  /** Starts a new Pepper segment for the source: the generation names the creation's idempotency key. */
  async nextGeneration(source: string): Promise<number> {
    await this.repo.increment({ source }, 'generation', 1);
    const row = await this.repo.findOneByOrFail({ source });
    return row.generation;
  }

  async setPepperSegment(source: string, pepperSegmentId: string | null): Promise<void> {
    await this.repo.update({ source }, { pepperSegmentId });
  }

  async recordRun(source: string, summary: SegmentRunSummary): Promise<void> {
    await this.repo.update({ source }, { lastRun: summary });
  }

  /** Pepper user ids of the LINKED users of these contacts, by contact id. */
  async linkedUsersOf(contactIds: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (let i = 0; i < contactIds.length; i += 500) {
      const rows = await this.links.find({
        select: { crmContactId: true, pepperUserId: true },
        where: { crmContactId: In(contactIds.slice(i, i + 500)), status: 'LINKED' },
      });
      for (const row of rows) if (row.crmContactId) found.set(row.crmContactId, row.pepperUserId);
    }
    return found;
  }
}
