import { TestingModule } from '@nestjs/testing';
import { FakeClock } from '../../../test/support/fakes/fake-clock';
import type { EventSource, InboundEventEntity } from '../entities';
import { storeTestingModule } from '../../../test/support/store-testing-module';
import { EventStore, NewInboundEvent } from './event.store';
import { LinkStore } from './link.store';

const T0 = new Date('2026-03-01T12:00:00.123Z');
const MIN = 60_000;

describe('EventStore on SQLite', () => {
  let moduleRef: TestingModule;
  let clock: FakeClock;
  let events: EventStore;

  beforeEach(async () => {
    clock = new FakeClock(T0);
    moduleRef = await storeTestingModule(clock);
    events = moduleRef.get(EventStore);
  });
  afterEach(() => moduleRef.close());

  const input = (externalId: string, over: Partial<NewInboundEvent> = {}): NewInboundEvent => ({
    source: 'pepper',
    externalId,
    type: 'ORDER_COMPLETED',
    pepperUserId: 'u1',
    payload: { id: externalId },
    occurredAt: '2026-03-01T10:00:00.000Z',
    ...over,
  });

  /** Records an event and reads it back as the processors get it. */
  async function record(externalId: string, over: Partial<NewInboundEvent> = {}): Promise<InboundEventEntity> {
    expect(await events.recordIfNew(input(externalId, over))).toBe(true);
    const [row] = await events.findByExternalIds(over.source ?? 'pepper', [externalId]);
    return row;
  }
  const reload = async (event: InboundEventEntity) => (await events.get(event.id))!;
  const dueIds = async (source: EventSource = 'pepper') => (await events.due(source, 100)).map((e) => e.externalId);

  it('records an event once per (source, external id): a duplicate is reported as not new and changes nothing', async () => {
    expect(await events.recordIfNew(input('a1', { lastError: 'x'.repeat(1500) }))).toBe(true);
    expect(await events.recordIfNew(input('a1', { type: 'USER_CHANGED', payload: { other: true } }))).toBe(false);
    expect(await events.recordIfNew(input('a1', { source: 'crmcom' }))).toBe(true);
    const [pepper] = await events.findByExternalIds('pepper', ['a1']);
    expect(pepper).toMatchObject({ state: 'PENDING', type: 'ORDER_COMPLETED', payload: { id: 'a1' }, attempts: 0, nextAttemptAt: null, waitingSince: null, movementPoints: null });
    expect(pepper.lastError).toHaveLength(1000);
    expect(await events.countByState()).toEqual({ PENDING: 2 });
  });

  it('records a page of events, answering only those recorded now: known ones (of that source) and repeats are left alone', async () => {
    await record('a1', { type: 'USER_CHANGED' });
    const { source: _source, ...rest } = input('x');
    const page = ['a1', 'a2', 'a2', 'a3'].map((externalId) => ({ ...rest, externalId }));
    expect([...(await events.recordNew('pepper', page))]).toEqual(['a2', 'a3']);
    expect([...(await events.recordNew('crmcom', page.slice(0, 1)))]).toEqual(['a1']);
    expect((await events.findByExternalIds('pepper', ['a1']))[0].type).toBe('USER_CHANGED');
    expect([...(await events.knownOf('pepper', ['a1', 'a2', 'zz']))].sort()).toEqual(['a1', 'a2']);
  });

  it('lists due events oldest first; ties keep the feed order (Pepper newest first, so ids backwards; CRM.COM ids forwards)', async () => {
    const same = '2026-03-01T10:00:00.000Z';
    for (const id of ['p-late', 'p-tie-1', 'p-tie-2', 'p-tie-3']) await record(id, { occurredAt: id === 'p-late' ? '2026-03-01T11:00:00.000Z' : same });
    await record('p-early', { occurredAt: '2026-03-01T09:00:00.000Z' });
    for (const id of ['c-tie-1', 'c-tie-2', 'c-tie-3']) await record(id, { source: 'crmcom', occurredAt: same });
    await record('c-early', { source: 'crmcom', occurredAt: '2026-03-01T09:00:00.000Z' });

    expect(await dueIds('pepper')).toEqual(['p-early', 'p-tie-3', 'p-tie-2', 'p-tie-1', 'p-late']);
    expect(await dueIds('crmcom')).toEqual(['c-early', 'c-tie-1', 'c-tie-2', 'c-tie-3']);
    expect((await events.due('pepper', 2)).map((e) => e.externalId)).toEqual(['p-early', 'p-tie-3']);
  });

  it('leaves out of due() what is settled, parked, waiting for a link, or retried later until its time comes', async () => {
    const later = await record('later');
    const done = await record('done');
    const parked = await record('parked');
    const waitingLink = await record('waiting-link');
    await record('ready');
    await events.retryLater(later, 'CRM.COM 503', new Date(T0.getTime() + 5 * MIN));
    await events.settle(done, 'DONE');
    await events.park(parked, 'bad payload');
    await events.settle(waitingLink, 'WAITING_LINK');
    expect(await dueIds()).toEqual(['ready']);
    clock.advance(5 * MIN); // nextAttemptAt <= now is due
    expect(await dueIds()).toEqual(['ready', 'later']); // same occurredAt: Pepper ties run by id backwards
  });

  it('keeps the start of a wait across defers, without using an attempt, and clears it when the event settles, retries or is parked', async () => {
    const e = await record('e');
    await events.defer(e, 'waiting for the echo', new Date(T0.getTime() + MIN));
    const waitStart = T0;
    clock.advance(10 * MIN);
    await events.defer(await reload(e), 'still waiting', new Date(clock.nowMs() + MIN));
    expect(await reload(e)).toMatchObject({ state: 'PENDING', attempts: 0, lastError: 'still waiting', waitingSince: waitStart });

    // A WAITING_LINK settlement keeps the wait's start too (the wait goes on).
    await events.settle(await reload(e), 'WAITING_LINK');
    expect(await reload(e)).toMatchObject({ state: 'WAITING_LINK', waitingSince: waitStart, nextAttemptAt: null, attempts: 1 });

    await events.requeueWaitingFor('u1');
    await events.settle(await reload(e), 'DONE', 'applied');
    expect(await reload(e)).toMatchObject({ state: 'DONE', waitingSince: null, lastError: 'applied', attempts: 2 });

    const r = await record('r');
    await events.defer(r, 'wait', new Date(T0.getTime() + 20 * MIN));
    await events.retryLater(await reload(r), 'timeout', new Date(T0.getTime() + 30 * MIN));
    expect(await reload(r)).toMatchObject({ state: 'PENDING', waitingSince: null, attempts: 1, lastError: 'timeout', nextAttemptAt: new Date(T0.getTime() + 30 * MIN) });

    const p = await record('p');
    await events.defer(p, 'wait', new Date(T0.getTime() + 20 * MIN));
    await events.park(await reload(p), 'waited too long');
    expect(await reload(p)).toMatchObject({ state: 'FAILED', waitingSince: null, nextAttemptAt: null, attempts: 1 });

    // A WAITING_LINK settlement of an event that was not waiting starts the wait now.
    const w = await record('w');
    await events.settle(w, 'WAITING_LINK');
    expect((await reload(w)).waitingSince).toEqual(clock.now());
  });

  it('holds the cursor only for a PENDING event that is not waiting, per source', async () => {
    expect(await events.holdsCursor('pepper')).toBe(false);
    const e = await record('e');
    expect(await events.holdsCursor('pepper')).toBe(true);
    expect(await events.holdsCursor('crmcom')).toBe(false);
    // the connector's own events of a source (not the feed's) are left out when named
    expect(await events.holdsCursor('pepper', ['ORDER_COMPLETED'])).toBe(false);
    expect(await events.holdsCursor('pepper', ['USER_SYNC'])).toBe(true);

    await events.retryLater(e, 'CRM.COM 503', new Date(T0.getTime() + MIN)); // retried later: still holds
    expect(await events.holdsCursor('pepper')).toBe(true);
    await events.defer(await reload(e), 'waiting', new Date(T0.getTime() + MIN)); // waiting: never holds the feed
    expect(await events.holdsCursor('pepper')).toBe(false);
    await events.settle(await reload(e), 'WAITING_LINK');
    expect(await events.holdsCursor('pepper')).toBe(false);

    const done = await record('done');
    await events.settle(done, 'DONE');
    const parked = await record('parked');
    await events.park(parked, 'bad');
    expect(await events.holdsCursor('pepper')).toBe(false);
  });

  it('lists the waits that started before the cutoff, PENDING or WAITING_LINK, of one source, in id order', async () => {
    const old1 = await record('old-deferred');
    await events.defer(old1, 'wait', new Date(T0.getTime() + MIN));
    const old2 = await record('old-link');
    await events.settle(old2, 'WAITING_LINK');
    const notWaiting = await record('not-waiting');
    await events.retryLater(notWaiting, 'err', new Date(T0.getTime() + MIN));
    const otherSource = await record('crm-old', { source: 'crmcom' });
    await events.defer(otherSource, 'wait', new Date(T0.getTime() + MIN));
    clock.advance(60 * MIN);
    const recent = await record('recent');
    await events.defer(recent, 'wait', new Date(clock.nowMs() + MIN));

    const cutoff = new Date(T0.getTime() + 30 * MIN);
    expect((await events.overdueWaits('pepper', cutoff, 10)).map((e) => e.externalId)).toEqual(['old-deferred', 'old-link']);
    expect((await events.overdueWaits('pepper', cutoff, 1)).map((e) => e.externalId)).toEqual(['old-deferred']);
    expect((await events.overdueWaits('crmcom', cutoff, 10)).map((e) => e.externalId)).toEqual(['crm-old']);
    // Strictly before: a wait that started at the cutoff is not overdue.
    expect(await events.overdueWaits('pepper', T0, 10)).toEqual([]);
  });

  it('wakes the waiting events of the given types (due now, still waiting), and no other', async () => {
    const order = await record('order');
    await events.defer(order, 'loyalty is not active', new Date(T0.getTime() + 60 * MIN));
    const redeem = await record('redeem', { type: 'REDEEM_PERK' });
    await events.defer(redeem, 'loyalty is not active', new Date(T0.getTime() + 60 * MIN));
    const retrying = await record('retrying');
    await events.retryLater(retrying, 'CRM.COM 503', new Date(T0.getTime() + 60 * MIN));
    expect(await dueIds()).toEqual([]);

    expect(await events.wakeWaiting(['ORDER_COMPLETED'])).toBe(1);
    expect(await dueIds()).toEqual(['order']);
    expect(await reload(order)).toMatchObject({ nextAttemptAt: null, waitingSince: T0 });
    expect((await reload(retrying)).nextAttemptAt).toEqual(new Date(T0.getTime() + 60 * MIN));
    expect((await reload(redeem)).nextAttemptAt).toEqual(new Date(T0.getTime() + 60 * MIN));
  });

  it('summarises the waiting events of a source: how many and since when the oldest waits', async () => {
    expect(await events.waitingSummary('pepper')).toEqual({ count: 0, oldestSince: null });
    const first = await record('first');
    await events.defer(first, 'wait', new Date(T0.getTime() + MIN));
    clock.advance(7 * MIN + 456);
    const second = await record('second');
    await events.settle(second, 'WAITING_LINK');
    await record('not-waiting');
    const crm = await record('crm', { source: 'crmcom' });
    await events.defer(crm, 'wait', new Date(clock.nowMs() + MIN));

    expect(await events.waitingSummary('pepper')).toEqual({ count: 2, oldestSince: T0 });
    expect(await events.waitingSummary('crmcom')).toEqual({ count: 1, oldestSince: clock.now() });
    await events.settle(await reload(first), 'DONE');
    expect(await events.waitingSummary('pepper')).toEqual({ count: 1, oldestSince: clock.now() });
  });

  it('stores the points of a movement, after which it no longer counts as unexamined', async () => {
    const e = await record('order', { type: 'ORDER_COMPLETED', pepperUserId: 'u1' });
    await record('crm-order', { source: 'crmcom', type: 'ORDER_COMPLETED', pepperUserId: 'u2' });
    expect(await events.hasUnexaminedMovement('u1', 'ORDER_COMPLETED')).toBe(true);
    expect(await events.hasUnexaminedMovement('u1', 'REDEEM_PERK')).toBe(false);
    expect(await events.hasUnexaminedMovement('u2', 'ORDER_COMPLETED')).toBe(false); // Pepper movements only

    await events.setMovementPoints(e, 250);
    expect(e.movementPoints).toBe(250);
    expect((await reload(e)).movementPoints).toBe(250);
    expect(await events.hasUnexaminedMovement('u1', 'ORDER_COMPLETED')).toBe(false);

    const settled = await record('settled', { pepperUserId: 'u3' });
    await events.settle(settled, 'SKIPPED');
    expect(await events.hasUnexaminedMovement('u3', 'ORDER_COMPLETED')).toBe(false);
  });

  it('finds linked users whose events still wait for the link, once each, and requeues their events keeping the wait', async () => {
    const links = moduleRef.get(LinkStore);
    const target = (contact: string) => ({ crmContactId: contact, crmAccountId: null, crmWalletId: null, matchedBy: 'EMAIL' as const });
    for (const [id, user] of [['a1', 'linked'], ['a2', 'linked'], ['b1', 'conflict'], ['c1', 'unlinked'], ['d1', 'deleted']]) {
      const e = await record(id, { pepperUserId: user });
      await events.settle(e, 'WAITING_LINK');
    }
    const other = await record('other', { pepperUserId: 'linked' }); // PENDING, not waiting for the link
    clock.advance(MIN);
    await links.link('linked', target('c-1'), null);
    await links.link('conflict', target('c-2'), null);
    await links.markConflict('conflict');
    await links.link('deleted', target('c-3'), null);
    await links.markDeleted('deleted');

    expect(await events.waitingLinkOfLinkedUsers(10)).toEqual(['linked']);
    expect(await events.requeueWaitingFor('linked')).toBe(2);
    const [a1] = await events.findByExternalIds('pepper', ['a1']);
    expect(a1).toMatchObject({ state: 'PENDING', nextAttemptAt: null, waitingSince: T0 });
    expect((await reload(other)).state).toBe('PENDING');
    expect(await events.waitingLinkOfLinkedUsers(10)).toEqual([]);
    expect((await events.findByExternalIds('pepper', ['b1', 'c1', 'd1'])).map((e) => e.state)).toEqual(['WAITING_LINK', 'WAITING_LINK', 'WAITING_LINK']);
  });
});
