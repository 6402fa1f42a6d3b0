import { FindOptionsWhere, MoreThan, ObjectLiteral, Repository } from 'typeorm';

export interface ListPage<T> {
  items: T[];
  nextCursor: string | null;
}

/** Keyset paging on an integer id: the cursor is the last id seen, so pages stay stable while rows are added. */
export async function pageById<T extends ObjectLiteral & { id: number }>(
  repo: Repository<T>,
  where: FindOptionsWhere<T>,
  limit: number,
  cursor: string | null,
): Promise<ListPage<T>> {
  const after = cursor ? Number(cursor) : 0;
  const rows = await repo.find({
    where: { ...where, id: MoreThan(after) } as FindOptionsWhere<T>,
    order: { id: 'ASC' } as never,
    take: limit + 1,
  });
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? String(items[items.length - 1].id) : null };
}
