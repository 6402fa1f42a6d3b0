import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { PerkEntity } from '../entities';

@Injectable()
export class PerkStore {
  constructor(@InjectRepository(PerkEntity) private readonly repo: Repository<PerkEntity>) {}

  async upsert(perk: Pick<PerkEntity, 'perkId' | 'template' | 'title' | 'enabled'>): Promise<void> {
    await this.repo.upsert({ ...perk }, ['perkId']);
  }

  all(): Promise<PerkEntity[]> {
    return this.repo.find({ order: { perkId: 'ASC' } });
  }

  get(perkId: string): Promise<PerkEntity | null> {
    return this.repo.findOneBy({ perkId });
  }

  async markWalletPerk(perkId: string | null): Promise<void> {
    await this.repo.update({ isWalletPerk: true }, { isWalletPerk: false });
    if (perkId) await this.repo.update({ perkId }, { isWalletPerk: true });
  }
}
