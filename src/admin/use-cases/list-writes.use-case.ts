import { Injectable } from '@nestjs/common';
import { WriteLog } from '../../persistence/stores/write-log.store';
import type { WritesQueryDto } from '../dto/writes.dto';
import { presentWrite } from '../presenters';

const DEFAULT_LIMIT = 100;

@Injectable()
export class ListWritesUseCase {
  constructor(private readonly writes: WriteLog) {}
  async execute(q: WritesQueryDto) {
    const page = await this.writes.list(q, q.limit ?? DEFAULT_LIMIT, q.cursor ?? null);
    return { items: page.items.map(presentWrite), nextCursor: page.nextCursor };
  }
}
