import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AwardMirrorEntity } from '../entities';

export interface AwardObservation {
  awardId: string;
  pepperUserId: string;
  perkId: string;
  pointsAvailable: number;
  /** when the event (or read) that reported this balance happened, ISO */
  asOf: string;
}

@Injectable()
export class AwardMirrorStore {
  constructor(@InjectRepository(AwardMirrorEntity) private readonly repo: Repository<AwardMirrorEntity>) {}

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

  get(awardId: string): Promise<AwardMirrorEntity | null> {
    return this.repo.findOneBy({ awardId });
  }

  findFor(pepperUserId: string, perkId: string): Promise<AwardMirrorEntity | null> {
    return this.repo.findOne({ where: { pepperUserId, perkId }, order: { asOf: 'DESC' } });
  }

  count(): Promise<number> {
    return this.repo.count();
  }
}
