import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Clock } from '../../common/clock';
import { logEvent } from '../../common/structured-log';
import { AuditEntryEntity } from '../../persistence/entities';
import { ListPage, pageById } from '../../persistence/stores/page';

export type NewAuditEntry = Omit<AuditEntryEntity, 'id' | 'at'>;

const MAX_JSON = 4_000;

/** Big answers (a whole run, a list) are kept as a preview: the trail is for reading, not a copy of the data. */
function bounded(value: unknown): unknown {
  if (value === undefined) return null;
  const text = JSON.stringify(value) ?? 'null';
  return text.length <= MAX_JSON ? value : { truncated: true, preview: text.slice(0, MAX_JSON) };
}

/** Writes the audit row and the `admin_action` log line of every admin call that changes data. */
@Injectable()
export class AuditTrail {
  private readonly logger = new Logger('Audit');

  constructor(
    @InjectRepository(AuditEntryEntity) private readonly repo: Repository<AuditEntryEntity>,
    private readonly clock: Clock,
  ) {}

  async record(entry: NewAuditEntry): Promise<AuditEntryEntity> {
    const row = await this.repo.save(
      this.repo.create({ ...entry, at: this.clock.now(), params: bounded(entry.params), before: bounded(entry.before), after: bounded(entry.after) }),
    );
    logEvent(
      this.logger,
      'admin_action',
      {
        auditId: row.id,
        actor: row.actor,
        action: row.action,
        target: row.target,
        before: row.before,
        after: row.after,
        result: row.result,
        status: row.status,
        error: row.error,
      },
      row.result === 'ok' ? 'log' : 'warn',
    );
    return row;
  }

  list(filter: { actor?: string }, limit: number, cursor: string | null): Promise<ListPage<AuditEntryEntity>> {
    return pageById(this.repo, filter.actor ? { actor: filter.actor } : {}, limit, cursor);
  }
}
