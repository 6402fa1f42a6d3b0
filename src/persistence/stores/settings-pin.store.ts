import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { SettingsPinEntity } from '../entities';
import { NO_TRANSACTION } from './no-transaction';

@Injectable()
export class SettingsPinStore {
  constructor(@InjectRepository(SettingsPinEntity) private readonly repo: Repository<SettingsPinEntity>) {}

  async all(): Promise<Record<string, string>> {
    return Object.fromEntries((await this.repo.find()).map((p) => [p.name, p.value]));
  }

  async pin(values: Record<string, string>): Promise<void> {
    for (const [name, value] of Object.entries(values)) await this.repo.save(this.repo.create({ name, value }), NO_TRANSACTION);
  }
}
