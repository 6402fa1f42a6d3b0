import { pageOf } from './paging';

describe('pageOf', () => {
  const record = (sequence: number, createdDate: number) => ({ sequence, createdDate });
  const ids = (records: Array<{ sequence: number; createdDate: number }>, order: 'ASC' | 'DESC', page = 1, size = 10) =>
    pageOf(records, { page, size, order, includeTotal: false }, (r) => r.sequence).content;

  it('orders by created date, then creation, both ways, whether the records come in order or not', () => {
    const inOrder = [record(1, 100), record(2, 100), record(3, 101), record(4, 105)];
    const shuffled = [inOrder[2], inOrder[0], inOrder[3], inOrder[1]];
    for (const records of [inOrder, shuffled]) {
      expect(ids(records, 'ASC')).toEqual([1, 2, 3, 4]);
      expect(ids(records, 'DESC')).toEqual([4, 3, 2, 1]);
      expect(ids(records, 'DESC', 2, 3)).toEqual([1]);
    }
    // a clock set back: creation order is not date order, and the date wins
    expect(ids([record(1, 200), record(2, 100)], 'ASC')).toEqual([2, 1]);
    expect(inOrder.map((r) => r.sequence)).toEqual([1, 2, 3, 4]); // the caller's array is left as it was
  });
});
