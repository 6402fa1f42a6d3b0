import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { AwardMirrorEntity } from '../entities';
import { TableRows } from '../table-rows';

export interface AwardObservation {
  awardId: string;
  pepperUserId: string;
  perkId: string;
  pointsAvailable: number;
  /** when the event (or read) that reported this balance happened, ISO */
  asOf: string;
}

const OBSERVE_CHUNK = 200;

@Injectable()
export class AwardMirrorStore {
  /** the statement made for every new user of a seed (table-rows.ts) */
  private readonly rows: TableRows<AwardMirrorEntity>;

  constructor(@InjectRepository(AwardMirrorEntity) private readonly repo: Repository<AwardMirrorEntity>) {
    this.rows = new TableRows(repo);
  }

  /**
   * Records a balance Pepper reported, unless a newer report is already stored (a late, older event never winds
   * it back). Returns the balance stored before, or null when the award was unknown.
   */
  async observe(o: AwardObservation): Promise<{ previous: number | null; applied: boolean }> {
    // One ISO form (with milliseconds, UTC) so that string order is time order.
    const asOf = new Date(o.asOf).toISOString();
    const existing = await this.repo.findOneBy({ awardId: o.awardId });
    if (existing && existing.asOf > asOf) return { previous: existing.pointsAvailable, applied: false };
    await this.repo.upsert({ ...o, asOf }, ['awardId']);
    return { previous: existing?.pointsAvailable ?? null, applied: true };
  }

  /**
   * `observe` for a page of a bulk download: the same rule (an older report never winds a balance back), in one read
   * and one write per chunk instead of two statements per award.
   */
  async observeMany(observations: readonly AwardObservation[]): Promise<void> {
    const newest = new Map<string, AwardObservation & { asOf: string }>();
    for (const o of observations) {
      const asOf = new Date(o.asOf).toISOString();
      const seen = newest.get(o.awardId);
      if (!seen || seen.asOf <= asOf) newest.set(o.awardId, { ...o, asOf });
    }
    const all = [...newest.values()];
    for (let i = 0; i < all.length; i += OBSERVE_CHUNK) {
      const chunk = all.slice(i, i + OBSERVE_CHUNK);
      const stored = new Map((await this.repo.findBy({ awardId: In(chunk.map((o) => o.awardId)) })).map((row) => [row.awardId, row.asOf]));
      const applicable = chunk.filter((o) => !(stored.get(o.awardId)! > o.asOf));
      if (applicable.length > 0) await this.repo.upsert(applicable, ['awardId']);
    }
  }

  get(awardId: string): Promise<AwardMirrorEntity | null> {
    return this.repo.findOneBy({ awardId });
  }

  findFor(pepperUserId: string, perkId: string): Promise<AwardMirrorEntity | null> {
    return this.rows.selectOne('"pepperUserId" = ? AND "perkId" = ? ORDER BY "asOf" DESC LIMIT 1', [pepperUserId, perkId]);
  }

  count(): Promise<number> {
    return this.repo.count();
  }
}
