import { TestingModule } from '@nestjs/testing';
import { getRepositoryToken } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { FakeClock } from '../../../test/support/fakes/fake-clock';
import { ConflictEntity } from '../entities';
import { storeTestingModule } from '../../../test/support/store-testing-module';
import { ConflictStore, NewConflict } from './conflict.store';

const T0 = new Date('2026-03-01T12:00:00.000Z');
const MIN = 60_000;

describe('ConflictStore on SQLite', () => {
  let moduleRef: TestingModule;
  let clock: FakeClock;
  let conflicts: ConflictStore;
  let repo: Repository<ConflictEntity>;

  beforeEach(async () => {
    clock = new FakeClock(T0);
    moduleRef = await storeTestingModule(clock);
    conflicts = moduleRef.get(ConflictStore);
    repo = moduleRef.get(getRepositoryToken(ConflictEntity));
  });
  afterEach(() => moduleRef.close());

  const ambiguous = (details: Record<string, unknown> = {}): NewConflict => ({ kind: 'AMBIGUOUS_MATCH', pepperUserId: 'u1', candidateContactIds: ['c1', 'c2'], details });

  it('keeps one OPEN conflict per key, refreshing it; per-event kinds are keyed by their event', async () => {
    const first = await conflicts.openOrRefresh(ambiguous({ seen: 1 }));
    expect(first.isNew).toBe(true);
    expect(first.conflict).toMatchObject({ dedupeKey: 'AMBIGUOUS_MATCH:u1', status: 'OPEN' });

    const again = await conflicts.openOrRefresh({ ...ambiguous({ seen: 2 }), candidateContactIds: ['c3'] });
    expect(again.isNew).toBe(false);
    expect(again.conflict.id).toBe(first.conflict.id);
    expect(await conflicts.get(first.conflict.id)).toMatchObject({ candidateContactIds: ['c3'], details: { seen: 2 } });

    await conflicts.openOrRefresh({ kind: 'EMAIL_PHONE_MISMATCH', pepperUserId: 'u1', candidateContactIds: [], details: {} });
    const e1 = await conflicts.openOrRefresh({ kind: 'OVERDRAWN', pepperUserId: 'u1', candidateContactIds: [], details: {}, eventKey: 'pepper:a1' });
    const e2 = await conflicts.openOrRefresh({ kind: 'OVERDRAWN', pepperUserId: 'u1', candidateContactIds: [], details: {}, eventKey: 'pepper:a2' });
    expect([e1.isNew, e2.isNew, e1.conflict.dedupeKey]).toEqual([true, true, 'OVERDRAWN:pepper:a1']);
    expect(await conflicts.countOpenByKind()).toEqual({ AMBIGUOUS_MATCH: 1, EMAIL_PHONE_MISMATCH: 1, OVERDRAWN: 2 });
  });

  it('refuses a second OPEN row with the same key in the database itself, but not a closed one', async () => {
    const { conflict } = await conflicts.openOrRefresh(ambiguous());
    const copy = { kind: conflict.kind, pepperUserId: 'u1', candidateContactIds: [], details: {}, dedupeKey: conflict.dedupeKey };
    await expect(repo.insert({ ...copy, status: 'OPEN' })).rejects.toThrow(/UNIQUE constraint failed|duplicate key value violates unique constraint/);
    await expect(repo.insert({ ...copy, status: 'RESOLVED' })).resolves.toBeDefined();
  });

  it('closes a conflict with who and when; the next one with that key opens anew', async () => {
    const { conflict } = await conflicts.openOrRefresh(ambiguous());
    clock.advance(MIN);
    await conflicts.close(conflict, 'RESOLVED', 'linked to c1', 'ops@merchant');
    expect(await conflicts.get(conflict.id)).toMatchObject({ status: 'RESOLVED', resolution: 'linked to c1', resolvedBy: 'ops@merchant', resolvedAt: new Date(T0.getTime() + MIN) });

    const next = await conflicts.openOrRefresh(ambiguous());
    expect(next.isNew).toBe(true);
    expect(next.conflict.id).not.toBe(conflict.id);
    expect((await conflicts.get(conflict.id))?.status).toBe('RESOLVED');
  });

  it('lets one resolution claim an OPEN conflict at a time; a claim is released, or taken over once older than 5 minutes', async () => {
    const { conflict } = await conflicts.openOrRefresh(ambiguous());
    expect(await conflicts.claim(conflict.id, 'alice')).toBe(true);
    expect(await conflicts.claim(conflict.id, 'bob')).toBe(false);
    expect(await conflicts.get(conflict.id)).toMatchObject({ claimedBy: 'alice', claimedAt: T0 });

    clock.advance(5 * MIN); // not older than 5 minutes yet
    expect(await conflicts.claim(conflict.id, 'bob')).toBe(false);
    clock.advance(1);
    expect(await conflicts.claim(conflict.id, 'bob')).toBe(true);
    expect((await conflicts.get(conflict.id))?.claimedBy).toBe('bob');

    await conflicts.releaseClaim(conflict.id);
    expect(await conflicts.get(conflict.id)).toMatchObject({ claimedBy: null, claimedAt: null });
    expect(await conflicts.claim(conflict.id, 'carol')).toBe(true);

    expect(await conflicts.claim(9999, 'dave')).toBe(false);
  });

  it('never lets a closed conflict be claimed, nor its claim be released', async () => {
    const { conflict: unclaimed } = await conflicts.openOrRefresh(ambiguous());
    await conflicts.close(unclaimed, 'IGNORED', 'duplicate', 'carol');
    expect(await conflicts.claim(unclaimed.id, 'dave')).toBe(false);

    const { conflict: claimed } = await conflicts.openOrRefresh({ ...ambiguous(), pepperUserId: 'u2' });
    expect(await conflicts.claim(claimed.id, 'erin')).toBe(true);
    await conflicts.close((await conflicts.get(claimed.id))!, 'RESOLVED', 'linked', 'erin');
    await conflicts.releaseClaim(claimed.id);
    expect(await conflicts.get(claimed.id)).toMatchObject({ status: 'RESOLVED', claimedBy: 'erin' });
    clock.advance(60 * MIN); // a stale claim on a closed conflict is not taken over either
    expect(await conflicts.claim(claimed.id, 'dave')).toBe(false);
  });

  it('settles the OPEN matching conflicts of a user who linked cleanly, leaving CONTACT_FIELD_TAKEN and other kinds open', async () => {
    await conflicts.openOrRefresh(ambiguous());
    await conflicts.openOrRefresh({ kind: 'CONTACT_FIELD_TAKEN', pepperUserId: 'u1', candidateContactIds: [], details: {} });
    await conflicts.openOrRefresh({ kind: 'BALANCE_DRIFT', pepperUserId: 'u1', candidateContactIds: [], details: {} });
    await conflicts.openOrRefresh({ ...ambiguous(), pepperUserId: 'u2' });
    expect(await conflicts.resolveOpenMatchingConflicts('u1', 'linked cleanly', null)).toBe(1);
    expect(await conflicts.countOpenByKind()).toEqual({ AMBIGUOUS_MATCH: 1, CONTACT_FIELD_TAKEN: 1, BALANCE_DRIFT: 1 });
  });
});
