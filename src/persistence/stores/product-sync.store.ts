import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { ProductSyncEntity } from '../entities';
import { NO_TRANSACTION } from './no-transaction';

/** What each product looked like when it was last written to CRM.COM. */
@Injectable()
export class ProductSyncStore {
  constructor(@InjectRepository(ProductSyncEntity) private readonly repo: Repository<ProductSyncEntity>) {}

  async all(): Promise<Map<string, ProductSyncEntity>> {
    const rows = await this.repo.find();
    return new Map(rows.map((row) => [row.productId, row]));
  }

  async saveMany(rows: ProductSyncEntity[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 200) await this.repo.save(rows.slice(i, i + 200), NO_TRANSACTION);
  }

  countActive(): Promise<number> {
    return this.repo.countBy({ endedAt: IsNull() });
  }

  count(): Promise<number> {
    return this.repo.count();
  }
}
