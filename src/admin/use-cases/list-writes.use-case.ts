import { Injectable } from '@nestjs/common';
import { WriteLog } from '../../persistence/stores/write-log.store';
import type { WritesQueryDto } from '../dto/writes.dto';
import type { ListQueryDto } from '../dto/list-query.dto';
import { presentWrite } from '../presenters';

const DEFAULT_LIMIT = 100;

/** SYNC_MODE=shadow: every write the connector would have made, with what it would have sent. */
@Injectable()
export class ListShadowWritesUseCase {
  constructor(private readonly writes: WriteLog) {}
  async execute(q: ListQueryDto) {
    const page = await this.writes.list({ state: 'SHADOW' }, q.limit ?? DEFAULT_LIMIT, q.cursor ?? null);
    return { items: page.items.map((w) => ({ ...presentWrite(w), wouldSend: w.request })), nextCursor: page.nextCursor };
  }
}

@Injectable()
export class ListWritesUseCase {
  constructor(private readonly writes: WriteLog) {}
  async execute(q: WritesQueryDto) {
    const page = await this.writes.list(q, q.limit ?? DEFAULT_LIMIT, q.cursor ?? null);
    return { items: page.items.map(presentWrite), nextCursor: page.nextCursor };
  }
}
