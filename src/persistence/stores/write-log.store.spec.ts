import { TestingModule } from '@nestjs/testing';
import { FakeClock } from '../../../test/support/fakes/fake-clock';
import type { OutboundWriteEntity } from '../entities';
import { storeTestingModule } from '../../../test/support/store-testing-module';
import { NewWriteAttempt, WriteLog } from './write-log.store';

const T0 = new Date('2026-03-01T12:00:00.000Z');

describe('WriteLog on SQLite', () => {
  let moduleRef: TestingModule;
  let clock: FakeClock;
  let log: WriteLog;

  beforeEach(async () => {
    clock = new FakeClock(T0);
    moduleRef = await storeTestingModule(clock);
    log = moduleRef.get(WriteLog);
  });
  afterEach(() => moduleRef.close());

  const attempt = (over: Partial<NewWriteAttempt> = {}): NewWriteAttempt => ({
    idempotencyKey: 'pepper:app:grant:e1',
    target: 'pepper',
    kind: 'GRANT',
    pepperUserId: 'u1',
    points: 100,
    request: { points: 100 },
    ...over,
  });
  const reload = async (a: OutboundWriteEntity) => (await log.get(a.id))!;
  const ids = (rows: OutboundWriteEntity[]) => rows.map((r) => r.id);

  it('answers the attempt exactly as stored, with its new id, without reading it back', async () => {
    const first = await log.begin(attempt());
    const second = await log.begin(attempt({ idempotencyKey: 'pepper:app:grant:e2', request: { points: 5 } }));

    expect(second.id).toBeGreaterThan(first.id);
    for (const begun of [first, second]) expect(await reload(begun)).toEqual(begun);
    expect(second).toMatchObject({ state: 'PENDING', sentAt: T0, createdAt: T0, updatedAt: T0, request: { points: 5 } });
  });

  it('stores an attempt PENDING when it begins, and settles it DONE, UNKNOWN, FAILED or given up', async () => {
    const a = await log.begin(attempt());
    expect(await reload(a)).toMatchObject({ state: 'PENDING', sentAt: T0, upstreamId: null, error: null, gaveUpAt: null, matchedActionId: null, perkId: null, amountMinor: null });

    await log.done(a, 'award-7', { balance: 300 });
    expect(await reload(a)).toMatchObject({ state: 'DONE', upstreamId: 'award-7', response: { balance: 300 } });

    const b = await log.begin(attempt());
    await log.unknown(b, 'socket hang up');
    expect(await reload(b)).toMatchObject({ state: 'UNKNOWN', error: 'socket hang up', upstreamId: null });

    const c = await log.begin(attempt());
    await log.failed(c, 'x'.repeat(1500));
    const failed = await reload(c);
    expect(failed).toMatchObject({ state: 'FAILED', gaveUpAt: null });
    expect(failed.error).toHaveLength(1000);

    const d = await log.begin(attempt());
    clock.advance(60_000);
    await log.giveUp(d, 'the feed passed it without an echo');
    expect(await reload(d)).toMatchObject({ state: 'FAILED', error: 'the feed passed it without an echo', gaveUpAt: new Date(T0.getTime() + 60_000) });
  });

  it('offers as echo candidates only unmatched Pepper attempts of the user and kind that may have happened, oldest sent first', async () => {
    clock.advance(2000);
    const later = await log.begin(attempt());
    clock.set(T0);
    const pending = await log.begin(attempt());
    const unknown = await log.begin(attempt());
    await log.unknown(unknown, 'timeout');
    const done = await log.begin(attempt());
    await log.done(done, null);
    const failed = await log.begin(attempt());
    await log.failed(failed, '400');
    const matched = await log.begin(attempt());
    expect(await log.claimEcho(matched.id, 'action-1')).toBe(true);
    await log.begin(attempt({ kind: 'REDEEM' }));
    await log.begin(attempt({ pepperUserId: 'u2' }));
    await log.begin(attempt({ target: 'crmcom' }));

    expect(ids(await log.echoCandidates('u1', 'GRANT'))).toEqual([pending.id, unknown.id, done.id, later.id]);
  });

  it('lists given-up attempts (not plain failures, not matched ones) as those an echo may still come for', async () => {
    const gaveUp1 = await log.begin(attempt());
    await log.giveUp(gaveUp1, 'no echo');
    const plainFailure = await log.begin(attempt());
    await log.failed(plainFailure, '400');
    const gaveUpMatched = await log.begin(attempt());
    await log.giveUp(gaveUpMatched, 'no echo');
    await log.claimEcho(gaveUpMatched.id, 'late-echo');
    const otherKind = await log.begin(attempt({ kind: 'REDEEM' }));
    await log.giveUp(otherKind, 'no echo');

    expect(ids(await log.givenUpAttempts('u1', 'GRANT'))).toEqual([gaveUp1.id]);
    expect(ids(await log.givenUpAttempts('u1', 'REDEEM'))).toEqual([otherKind.id]);
    expect(await log.echoCandidates('u1', 'GRANT')).toEqual([]);
  });

  it('lets an attempt be claimed by one echo only', async () => {
    const a = await log.begin(attempt());
    expect(await log.claimEcho(a.id, 'action-1')).toBe(true);
    expect(await log.claimEcho(a.id, 'action-2')).toBe(false);
    expect(await log.claimEcho(a.id, 'action-1')).toBe(false);
    expect((await reload(a)).matchedActionId).toBe('action-1');
    expect((await log.findMatchedBy('action-1'))?.id).toBe(a.id);
    expect(await log.findMatchedBy('action-2')).toBeNull();
  });

  it('totals what a flow moved, each key once, leaving out failed attempts, the excluded key, other flows and other users', async () => {
    const earn = (n: string) => `crm:earn:u1:${n}`;
    // Key 1: an attempt in doubt and its retry that worked, same movement: counted once.
    const k1a = await log.begin(attempt({ idempotencyKey: earn('1'), target: 'crmcom', points: 100, amountMinor: 1000 }));
    await log.unknown(k1a, 'timeout');
    const k1b = await log.begin(attempt({ idempotencyKey: earn('1'), target: 'crmcom', points: 100, amountMinor: 1000 }));
    await log.done(k1b, 'j-1');
    // Key 2: failed, then done: counts (the DONE attempt moved it).
    const k2a = await log.begin(attempt({ idempotencyKey: earn('2'), target: 'crmcom', points: 50, amountMinor: 500 }));
    await log.failed(k2a, '503');
    await log.begin(attempt({ idempotencyKey: earn('2'), target: 'crmcom', points: 50, amountMinor: 500 }));
    // Key 3: every attempt failed: left out.
    const k3 = await log.begin(attempt({ idempotencyKey: earn('3'), target: 'crmcom', points: 7, amountMinor: 70 }));
    await log.failed(k3, '400');
    // The key being converted now, another flow (one whose key only matches the prefix as a LIKE pattern), another user.
    await log.begin(attempt({ idempotencyKey: earn('4'), target: 'crmcom', points: 1000, amountMinor: 10000 }));
    await log.begin(attempt({ idempotencyKey: 'crm:earnXu1:9', target: 'crmcom', points: 1000, amountMinor: 10000 }));
    await log.begin(attempt({ idempotencyKey: 'crm:earn:u2:1', pepperUserId: 'u2', target: 'crmcom', points: 1000, amountMinor: 10000 }));

    expect(await log.movedTotal('u1', 'crm:earn:u1:', earn('4'), 'points')).toBe(150);
    expect(await log.movedTotal('u1', 'crm:earn:u1:', earn('4'), 'amountMinor')).toBe(1500);
    expect(await log.movedTotal('u1', 'crm_earn_u1_', earn('4'), 'points')).toBe(0); // a prefix, not a pattern
    expect(await log.movedTotal('u3', 'crm:earn:u3:', 'none', 'points')).toBe(0);
  });

  it('recognises among journal ids only those of CRM.COM writes the connector made', async () => {
    const own = await log.begin(attempt({ target: 'crmcom', idempotencyKey: 'crm:1' }));
    await log.done(own, 'j-own');
    const pepperWrite = await log.begin(attempt());
    await log.done(pepperWrite, 'j-foreign'); // same id, but a Pepper write
    expect(await log.ownUpstreamIds(['j-own', 'j-foreign', 'j-other'])).toEqual(new Set(['j-own']));
    expect(await log.ownUpstreamIds([])).toEqual(new Set());
  });
});
