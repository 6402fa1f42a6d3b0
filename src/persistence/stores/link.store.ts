import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { FindOptionsWhere, IsNull, MoreThan, Not, Repository } from 'typeorm';
import { Clock } from '../../common/clock';
import { MatchedBy, UserLinkEntity } from '../entities';
import { ListPage, pageById } from './page';
import { isUniqueViolation } from '../constraint-violation';
import { NO_TRANSACTION } from './no-transaction';
import { countRowsOf } from '../table-counts';
import { TableRows } from '../table-rows';

export type LinkResult =
  | { ok: true; link: UserLinkEntity }
  | { ok: false; reason: 'CONTACT_LINKED_ELSEWHERE'; linkedPepperUserId: string | null };

export interface LinkTarget {
  crmContactId: string;
  crmAccountId: string | null;
  crmWalletId: string | null;
  matchedBy: MatchedBy;
}

@Injectable()
export class LinkStore {
  /** the statements made for every user and journal (table-rows.ts) */
  private readonly rows: TableRows<UserLinkEntity>;

  constructor(
    @InjectRepository(UserLinkEntity) private readonly repo: Repository<UserLinkEntity>,
    private readonly clock: Clock,
  ) {
    this.rows = new TableRows(repo);
  }

  findByUser(pepperUserId: string): Promise<UserLinkEntity | null> {
    return this.rows.selectOne('"pepperUserId" = ?', [pepperUserId]);
  }

  /** The LINKED user a wallet journal belongs to: by its contact, or (documented items carry none) by its wallet. */
  async findLinkedForJournal(journal: { contactId: string | null; walletId: string | null }): Promise<UserLinkEntity | null> {
    if (journal.contactId) return this.findLinkedByContact(journal.contactId);
    return journal.walletId ? this.rows.selectOne(`"crmWalletId" = ? AND "status" = 'LINKED'`, [journal.walletId]) : null;
  }

  findLinkedByContact(crmContactId: string): Promise<UserLinkEntity | null> {
    return this.rows.selectOne(`"crmContactId" = ? AND "status" = 'LINKED'`, [crmContactId]);
  }

  /** `known`: the user's link as the caller read it under the user's lock (null: none), so it is not read again. */
  private async upsert(pepperUserId: string, fields: Partial<UserLinkEntity>, known?: UserLinkEntity | null): Promise<UserLinkEntity> {
    const existing = known === undefined ? await this.findByUser(pepperUserId) : known;
    if (existing) {
      Object.assign(existing, fields);
      return this.repo.save(existing, NO_TRANSACTION);
    }
    // Every column is given here, so the new row is not read back for its defaults (as `save` would).
    const now = this.clock.now();
    const row = this.repo.create({
      pepperUserId,
      crmContactId: null,
      crmAccountId: null,
      crmWalletId: null,
      matchedBy: null,
      profileFingerprint: null,
      linkedAt: null,
      openingAt: null,
      walletOpeningAt: null,
      ...fields,
      createdAt: now,
      updatedAt: now,
    });
    row.id = (await this.rows.insert(row)) as number;
    return row;
  }

  /** Links the user, or reports that another user holds the contact (the partial unique index decides, atomically). */
  async tryLink(pepperUserId: string, target: LinkTarget, profileFingerprint: string | null, known?: UserLinkEntity | null): Promise<LinkResult> {
    try {
      return { ok: true, link: await this.link(pepperUserId, target, profileFingerprint, known) };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return { ok: false, reason: 'CONTACT_LINKED_ELSEWHERE', linkedPepperUserId: (await this.findLinkedByContact(target.crmContactId))?.pepperUserId ?? null };
    }
  }

  link(pepperUserId: string, target: LinkTarget, profileFingerprint: string | null, known?: UserLinkEntity | null): Promise<UserLinkEntity> {
    return this.upsert(pepperUserId, { ...target, status: 'LINKED', profileFingerprint, linkedAt: this.clock.now(), openingAt: null, walletOpeningAt: null }, known);
  }

  markConflict(pepperUserId: string): Promise<UserLinkEntity> {
    return this.upsert(pepperUserId, {
      status: 'CONFLICT',
      crmContactId: null,
      crmAccountId: null,
      crmWalletId: null,
      matchedBy: null,
    });
  }

  markDeleted(pepperUserId: string): Promise<UserLinkEntity> {
    return this.upsert(pepperUserId, { status: 'DELETED' });
  }

  /** The wallet of a contact the connector created, once CRM.COM shows it (still the same link, still without one). */
  async setWalletIfMissing(pepperUserId: string, crmContactId: string, crmWalletId: string): Promise<boolean> {
    const where = `"pepperUserId" = ? AND "crmContactId" = ? AND "status" = 'LINKED' AND "crmWalletId" IS NULL`;
    return (await this.rows.update({ crmWalletId }, where, [pepperUserId, crmContactId])) > 0;
  }

  /** Whether a contact the connector created is linked without its wallet yet (the seed reads it after the page). */
  async hasCreatedAwaitingWallet(): Promise<boolean> {
    return (await this.repo.count({ where: { status: 'LINKED', matchedBy: 'CREATED', crmWalletId: IsNull() }, take: 1 })) > 0;
  }

  async setProfileFingerprint(pepperUserId: string, profileFingerprint: string): Promise<void> {
    await this.rows.update({ profileFingerprint }, '"pepperUserId" = ?', [pepperUserId]);
  }

  list(filter: { pepperUserId?: string; crmContactId?: string; status?: string }, limit: number, cursor: string | null): Promise<ListPage<UserLinkEntity>> {
    const where: FindOptionsWhere<UserLinkEntity> = {};
    if (filter.pepperUserId) where.pepperUserId = filter.pepperUserId;
    if (filter.crmContactId) where.crmContactId = filter.crmContactId;
    if (filter.status) where.status = filter.status as UserLinkEntity['status'];
    return pageById(this.repo, where, limit, cursor);
  }

  /** LINKED links with a wallet, in id order, a page at a time. */
  linkedWithWallet(afterId: number, limit: number): Promise<UserLinkEntity[]> {
    return this.repo.find({ where: { status: 'LINKED', id: MoreThan(afterId), crmWalletId: Not(IsNull()) }, order: { id: 'ASC' }, take: limit });
  }

  /** LINKED users whose opening balance was never taken (linked while loyalty was off, or a crash after linking). */
  linkedWithoutOpening(afterId: number, limit: number): Promise<UserLinkEntity[]> {
    return this.repo.find({
      where: { status: 'LINKED', id: MoreThan(afterId), crmContactId: Not(IsNull()), openingAt: IsNull() },
      order: { id: 'ASC' },
      take: limit,
    });
  }

  /**
   * The moment the user's opening balances were read: wallet movements at or before it are inside them.
   * `walletOpeningAt`: when the wallet balance of the opening was read, if before `openingAt` (the index's read).
   */
  async setOpeningAt(pepperUserId: string, openingAt: Date, walletOpeningAt: Date = openingAt): Promise<void> {
    await this.rows.update({ openingAt, walletOpeningAt }, '"pepperUserId" = ?', [pepperUserId]);
  }

  async countByStatus(): Promise<Record<string, number>> {
    const rows = await countRowsOf<{ status: string; count: number }>(
      this.repo.createQueryBuilder('l').select('l.status', 'status').addSelect('COUNT(*)', 'count').groupBy('l.status'),
    );
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.count)]));
  }

  async countByMatch(): Promise<Record<string, number>> {
    const rows = await countRowsOf<{ matchedBy: string; count: number }>(
      this.repo
        .createQueryBuilder('l')
        .select('l.matchedBy', 'matchedBy')
        .addSelect('COUNT(*)', 'count')
        .where("l.status = 'LINKED'")
        .groupBy('l.matchedBy'),
    );
    return Object.fromEntries(rows.map((r) => [r.matchedBy, Number(r.count)]));
  }
}
