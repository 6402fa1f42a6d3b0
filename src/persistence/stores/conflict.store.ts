import { Injectable } from '@nestjs/common';
import { countRowsOf } from '../table-counts';
import { InjectRepository } from '@nestjs/typeorm';
import { FindOptionsWhere, IsNull, LessThan, Repository } from 'typeorm';
import { Clock } from '../../common/clock';
import { ConflictEntity, ConflictKind, ConflictStatus, MATCHING_CONFLICT_KINDS } from '../entities';
import { ListPage, pageById } from './page';
import { NO_TRANSACTION } from './no-transaction';

export interface NewConflict {
  kind: ConflictKind;
  pepperUserId: string;
  candidateContactIds: string[];
  details: Record<string, unknown>;
  /** per-event kinds name their event; the others are one OPEN conflict per (user, kind) */
  eventKey?: string;
}

const CLAIM_EXPIRY_MS = 5 * 60_000;

/** The matching conflicts a clean link settles; a field taken by another contact or a duplicate contact stays for the operator. */
const SETTLED_BY_A_CLEAN_LINK: ReadonlySet<ConflictKind> = new Set(
  MATCHING_CONFLICT_KINDS.filter((kind) => kind !== 'CONTACT_FIELD_TAKEN' && kind !== 'DUPLICATE_CONTACT'),
);

@Injectable()
export class ConflictStore {
  constructor(
    @InjectRepository(ConflictEntity) private readonly repo: Repository<ConflictEntity>,
    private readonly clock: Clock,
  ) {}

  /** Opens a conflict, or refreshes the OPEN one with the same key rather than opening another. */
  async openOrRefresh(input: NewConflict): Promise<{ conflict: ConflictEntity; isNew: boolean }> {
    const dedupeKey = `${input.kind}:${input.eventKey ?? input.pepperUserId}`;
    const existing = await this.repo.findOneBy({ dedupeKey, status: 'OPEN' });
    if (existing) {
      existing.candidateContactIds = input.candidateContactIds;
      existing.details = input.details;
      return { conflict: await this.repo.save(existing, NO_TRANSACTION), isNew: false };
    }
    const conflict = await this.repo.save(
      this.repo.create({ ...input, dedupeKey, status: 'OPEN', resolution: null, resolvedBy: null, resolvedAt: null, claimedBy: null, claimedAt: null }), NO_TRANSACTION
    );
    return { conflict, isNew: true };
  }

  get(id: number): Promise<ConflictEntity | null> {
    return this.repo.findOneBy({ id });
  }

  /**
   * Claims an OPEN conflict for one resolution; false when it is closed or another resolution holds it. A claim older
   * than CLAIM_EXPIRY_MS is taken over: its process stopped mid-resolution.
   */
  async claim(id: number, actor: string): Promise<boolean> {
    const staleBefore = new Date(this.clock.nowMs() - CLAIM_EXPIRY_MS);
    const result = await this.repo.update(
      [
        { id, status: 'OPEN', claimedAt: IsNull() },
        { id, status: 'OPEN', claimedAt: LessThan(staleBefore) },
      ],
      { claimedBy: actor, claimedAt: this.clock.now() },
    );
    return (result.affected ?? 0) === 1;
  }

  async releaseClaim(id: number): Promise<void> {
    await this.repo.update({ id, status: 'OPEN' }, { claimedBy: null, claimedAt: null });
  }

  async close(conflict: ConflictEntity, status: Exclude<ConflictStatus, 'OPEN'>, resolution: string, actor: string | null): Promise<ConflictEntity> {
    conflict.status = status;
    conflict.resolution = resolution;
    conflict.resolvedBy = actor;
    conflict.resolvedAt = this.clock.now();
    return this.repo.save(conflict, NO_TRANSACTION);
  }

  /** When a user links cleanly after all (data fixed in CRM.COM, say), their open matching conflicts are settled. */
  async resolveOpenMatchingConflicts(pepperUserId: string, resolution: string, actor: string | null): Promise<number> {
    // The user's open conflicts (usually none; one index lookup), their kinds filtered here: asked once per linked user.
    const open = (await this.repo.findBy({ pepperUserId, status: 'OPEN' })).filter((c) => SETTLED_BY_A_CLEAN_LINK.has(c.kind));
    for (const conflict of open) await this.close(conflict, 'RESOLVED', resolution, actor);
    return open.length;
  }

  list(filter: { status?: ConflictStatus; kind?: string; pepperUserId?: string }, limit: number, cursor: string | null): Promise<ListPage<ConflictEntity>> {
    const where: FindOptionsWhere<ConflictEntity> = {};
    if (filter.status) where.status = filter.status;
    if (filter.kind) where.kind = filter.kind as ConflictKind;
    if (filter.pepperUserId) where.pepperUserId = filter.pepperUserId;
    return pageById(this.repo, where, limit, cursor);
  }

  async countOpenByKind(): Promise<Record<string, number>> {
    const rows = await countRowsOf<{ kind: string; count: number }>(
      this.repo.createQueryBuilder('c').select('c.kind', 'kind').addSelect('COUNT(*)', 'count').where("c.status = 'OPEN'").groupBy('c.kind'),
    );
    return Object.fromEntries(rows.map((r) => [r.kind, Number(r.count)]));
  }
}
