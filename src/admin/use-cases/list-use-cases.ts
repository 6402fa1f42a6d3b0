import { Injectable, NotFoundException } from '@nestjs/common';
import { ConflictStore } from '../../persistence/stores/conflict.store';
import { EventStore } from '../../persistence/stores/event.store';
import { LinkStore } from '../../persistence/stores/link.store';
import { RunStore } from '../../persistence/stores/run.store';
import type { ConflictsQueryDto, FailedEventsQueryDto, LinksQueryDto } from '../dto/list-query.dto';
import { presentConflict, presentFailedEvent, presentLink, presentRun } from '../presenters';

const DEFAULT_LIMIT = 100;

@Injectable()
export class ListLinksUseCase {
  constructor(private readonly links: LinkStore) {}
  async execute(q: LinksQueryDto) {
    const page = await this.links.list(q, q.limit ?? DEFAULT_LIMIT, q.cursor ?? null);
    return { items: page.items.map(presentLink), nextCursor: page.nextCursor };
  }
}

@Injectable()
export class ListConflictsUseCase {
  constructor(private readonly conflicts: ConflictStore) {}
  async execute(q: ConflictsQueryDto) {
    const page = await this.conflicts.list(q, q.limit ?? DEFAULT_LIMIT, q.cursor ?? null);
    return { items: page.items.map(presentConflict), nextCursor: page.nextCursor };
  }
}

@Injectable()
export class ListFailedEventsUseCase {
  constructor(private readonly events: EventStore) {}
  async execute(q: FailedEventsQueryDto) {
    const page = await this.events.listFailed(q.limit ?? DEFAULT_LIMIT, q.cursor ?? null, q.source);
    return { items: page.items.map(presentFailedEvent), nextCursor: page.nextCursor };
  }
}

@Injectable()
export class GetRunUseCase {
  constructor(private readonly runs: RunStore) {}
  async execute(runId: string) {
    const run = await this.runs.get(runId);
    if (!run) throw new NotFoundException(`no run ${runId}`);
    return presentRun(run);
  }
}
