import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FakeClock } from '../../test/support/fakes/fake-clock';
import { ConfigModule } from '../config/config.module';
import { UserLinker } from '../customers/user-linker';
import type { UserSyncOutcome } from '../customers/user-sync.types';
import { PepperClient } from '../pepper/pepper.client';
import { PepperError } from '../pepper/pepper.error';
import type { ActionsWindow, PepperAction, PepperUser } from '../pepper/pepper.types';
import { buildDataSourceOptions } from '../persistence/data-source-options';
import { PersistenceModule } from '../persistence/persistence.module';
import { EventStore } from '../persistence/stores/event.store';
import { SyncStateStore } from '../persistence/stores/sync-state.store';
import { testConfig } from '../../test/support/upstream/test-config';
import type { ValidatedPage } from '../upstream/paging';
import { BackfillPlan } from '../loyalty/flows/backfill-plan';
import { ActionsPoller, POLLED_ACTION_TYPES } from './actions-poller';
import { LOYALTY_ACTION_TYPES, PepperLoyaltyHandler } from '../loyalty/flows/pepper-loyalty-handler';
import { EventParking } from '../core/event-parking';
import { RunContext } from '../core/job-runner';
import { PepperEventHandler } from './pepper-event-handler';
import { PepperEventProcessor } from './pepper-event-processor';

const T0 = new Date('2026-03-01T12:00:00.000Z');
const at = (secondsAfterT0: number) => new Date(T0.getTime() + secondsAfterT0 * 1000).toISOString();

/** Pepper's actions feed as the API serves it: newest first, in pages of two, filtered by the window. */
class FakePepper {
  actions: PepperAction[] = [];
  windows: ActionsWindow[] = [];
  invalid: ValidatedPage<PepperAction>['invalid'] = [];
  failUserReads: Error | null = null;

  add(id: string, type: string, secondsAfterT0: number, userId: string | null = 'u1'): void {
    this.actions.push({ id, type, timestamp: at(secondsAfterT0), userId, locationId: null, metadata: {}, raw: { _id: id } });
  }

  async *actionsPages(window: ActionsWindow): AsyncIterable<ValidatedPage<PepperAction>> {
    this.windows.push(window);
    const inWindow = this.actions
      .filter((a) => a.timestamp > window.gt && a.timestamp <= window.lte)
      .sort((a, b) => b.timestamp.localeCompare(a.timestamp));
    for (let i = 0; i < inWindow.length; i += 2) yield { items: inWindow.slice(i, i + 2), invalid: i === 0 ? this.invalid : [] };
    if (inWindow.length === 0) yield { items: [], invalid: this.invalid };
  }

  async getUser(id: string): Promise<PepperUser> {
    if (this.failUserReads) throw this.failUserReads;
    return { id, firstName: 'A', lastName: 'B', deleted: false, hasAgreedToReceiveMarketing: false, credentials: [], updatedAt: null };
  }
}

class FakeLinker {
  synced: string[] = [];
  async syncUser(user: PepperUser): Promise<UserSyncOutcome> {
    this.synced.push(user.id);
    return { result: 'UNCHANGED', link: null };
  }
  async markDeleted(): Promise<UserSyncOutcome> {
    return { result: 'DELETED', link: null };
  }
}

describe('ActionsPoller', () => {
  let clock: FakeClock;
  let pepper: FakePepper;
  let linker: FakeLinker;
  let poller: ActionsPoller;
  let events: EventStore;
  let syncState: SyncStateStore;
  const ctx = () => new RunContext('run', 'SCHEDULE', () => false);

  beforeEach(async () => {
    clock = new FakeClock(new Date(T0.getTime() + 300_000));
    pepper = new FakePepper();
    linker = new FakeLinker();
    const config = testConfig({ pepper: { pollOverlapSeconds: 600, pollLagSeconds: 30 } });
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(config, { clock }), TypeOrmModule.forRoot(buildDataSourceOptions(':memory:')), PersistenceModule],
      providers: [
        ActionsPoller,
        BackfillPlan,
        EventParking,
        PepperEventHandler,
        PepperEventProcessor,
        { provide: PepperClient, useValue: pepper },
        { provide: UserLinker, useValue: linker },
        { provide: PepperLoyaltyHandler, useValue: { handles: (type: string) => (LOYALTY_ACTION_TYPES as readonly string[]).includes(type), handle: async () => ({ state: 'DONE', note: null }) } },
      ],
    }).compile();
    poller = moduleRef.get(ActionsPoller);
    events = moduleRef.get(EventStore);
    syncState = moduleRef.get(SyncStateStore);
    await syncState.update('pepper.actions', { cursor: T0.toISOString() });
  });

  const cursor = async () => (await syncState.get('pepper.actions'))?.cursor;

  it('asks for the window from cursor − overlap to now − lag: the part after the cursor, then the overlap', async () => {
    await poller.poll(ctx());
    expect(pepper.windows.map(({ gt, lte }) => ({ gt, lte }))).toEqual([
      { gt: at(0), lte: at(300 - 30) },
      { gt: at(-600), lte: at(0) },
    ]);
    expect(pepper.windows.map((w) => w.types)).toEqual([POLLED_ACTION_TYPES, POLLED_ACTION_TYPES]);
    expect(POLLED_ACTION_TYPES).toEqual(expect.arrayContaining(['USER_CREATED', 'USER_CHANGED', 'USER_DELETED', 'ORDER_COMPLETED', 'REDEEM_PERK', 'AWARD_POINTS_RESET']));
    expect(await cursor()).toBe(at(270));
  });

  it('works the actions new since the cursor before it re-reads the overlap', async () => {
    // The overlap is re-read at every poll to catch actions indexed late; after a burst (a seed's opening grants) it is
    // many pages. A new order waits for none of them: it is on the first page of the new part, worked at once.
    for (let i = 0; i < 20; i++) pepper.add(`known-${i}`, 'USER_CHANGED', -300 + i, `old-${i}`);
    await poller.poll(ctx());
    linker.synced = [];
    pepper.add('fresh', 'USER_CHANGED', 280, 'u-fresh');
    const workedWhenOverlapRead: string[][] = [];
    const read = pepper.actionsPages.bind(pepper);
    pepper.actionsPages = (window: ActionsWindow) => {
      if (window.gt < at(270)) workedWhenOverlapRead.push([...linker.synced]);
      return read(window);
    };
    clock.advance(60_000);
    await poller.poll(ctx());
    expect(workedWhenOverlapRead).toEqual([['u-fresh']]);
    expect(linker.synced).toEqual(['u-fresh']); // the overlap's actions, already taken in, are not worked again
    expect(await cursor()).toBe(at(330));
  });

  it('works an action placed while a long overlap is re-read one poll interval later, not after the whole overlap', async () => {
    for (let i = 0; i < 20; i++) pepper.add(`known-${i}`, 'USER_CHANGED', -300 + i, `old-${i}`);
    await poller.poll(ctx());
    linker.synced = [];
    clock.advance(60_000);
    // The overlap is 10 pages; while its 2nd is read, an order-like action appears and a poll interval (300 s) passes.
    let overlapPages = 0;
    const read = pepper.actionsPages.bind(pepper);
    pepper.actionsPages = (window: ActionsWindow) => {
      const pages = read(window);
      if (window.gt >= at(270)) return pages;
      return (async function* () {
        for await (const page of pages) {
          overlapPages += 1;
          if (overlapPages === 2) {
            pepper.add('fresh', 'USER_CHANGED', 400, 'u-fresh');
            clock.advance(300_000);
          }
          yield page;
        }
      })();
    };
    const workedAtOverlapPage: number[] = [];
    const sync = linker.syncUser.bind(linker);
    linker.syncUser = (user: PepperUser) => {
      workedAtOverlapPage.push(overlapPages);
      return sync(user);
    };
    await poller.poll(ctx());
    expect(overlapPages).toBe(10);
    expect(workedAtOverlapPage).toEqual([2]);
    // The cursor moves to the end of the window the poll began with; the action read past it is a duplicate next time.
    expect(await cursor()).toBe(at(330));
    await poller.poll(ctx());
    expect(linker.synced).toEqual(['u-fresh']);
    expect((await events.findByExternalIds('pepper', ['fresh']))[0]?.state).toBe('DONE');
  });

  it('reads the overlap and the new part as one window: a late action in the overlap is still taken in, the cursor moves once', async () => {
    await poller.poll(ctx());
    pepper.add('late', 'USER_CHANGED', 200, 'u-late');
    pepper.add('fresh', 'USER_CHANGED', 300, 'u-fresh');
    clock.advance(60_000);
    pepper.windows = [];
    await poller.poll(ctx());
    expect(pepper.windows.map(({ gt, lte }) => ({ gt, lte }))).toEqual([
      { gt: at(270), lte: at(330) },
      { gt: at(270 - 600), lte: at(270) },
    ]);
    expect(linker.synced).toEqual(['u-fresh', 'u-late']);
    expect(await cursor()).toBe(at(330));
  });

  it('leaves actions newer than now − lag for the next window', async () => {
    pepper.add('late-indexed', 'USER_CHANGED', 290);
    await poller.poll(ctx());
    expect(linker.synced).toEqual([]);
    clock.advance(60_000);
    await poller.poll(ctx());
    expect(linker.synced).toEqual(['u1']);
  });

  it('processes a window oldest first although the feed is newest first', async () => {
    pepper.add('a3', 'USER_CHANGED', 30, 'u3');
    pepper.add('a1', 'USER_CREATED', 10, 'u1');
    pepper.add('a2', 'USER_CREATED', 20, 'u2');
    await poller.poll(ctx());
    expect(linker.synced).toEqual(['u1', 'u2', 'u3']);
  });

  it('takes an action seen again in the overlap only once', async () => {
    pepper.add('a1', 'USER_CHANGED', 100);
    await poller.poll(ctx());
    clock.advance(300_000);
    await poller.poll(ctx());
    expect(pepper.windows[1].gt < at(100)).toBe(true); // the second window overlaps the first action
    expect(linker.synced).toEqual(['u1']);
  });

  it('catches an action that became visible late, inside the overlap', async () => {
    await poller.poll(ctx());
    pepper.add('late', 'USER_CHANGED', 200); // happened before the cursor, indexed after the first poll
    clock.advance(300_000);
    await poller.poll(ctx());
    expect(linker.synced).toEqual(['u1']);
  });

  it('holds the cursor while an event waits for a retry, and moves it once the event is done', async () => {
    pepper.add('a1', 'USER_CHANGED', 100);
    pepper.failUserReads = new PepperError('Pepper GET /users/u1 answered 503', { code: 'SERVER_ERROR', status: 503 });
    const first = ctx();
    await poller.poll(first);
    expect(first.counts).toMatchObject({ retryLater: 1, cursorHeld: 1 });
    expect(await cursor()).toBe(T0.toISOString());

    pepper.failUserReads = null;
    clock.advance(60_000); // past the event's retry time
    await poller.poll(ctx());
    expect(linker.synced).toEqual(['u1']);
    expect(await cursor()).toBe(at(330));
  });

  it('re-reads a held window without an insert attempt per action already recorded', async () => {
    // The cursor stays put while an event waits; each poll reads the window again. Its known actions cost one lookup
    // per page, not one failed insert each: during a seed that window grows with every user.
    pepper.add('a1', 'USER_CHANGED', 100);
    pepper.add('a2', 'USER_CHANGED', 110, 'u2');
    pepper.add('a3', 'USER_CHANGED', 120, 'u3');
    pepper.failUserReads = new PepperError('Pepper GET /users/u1 answered 503', { code: 'SERVER_ERROR', status: 503 });
    await poller.poll(ctx());
    expect(await cursor()).toBe(T0.toISOString());

    const inserts = jest.spyOn(events, 'recordIfNew');
    pepper.add('a4', 'USER_CHANGED', 130, 'u4');
    const second = ctx();
    await poller.poll(second);
    expect(inserts.mock.calls.map(([event]) => event.externalId)).toEqual(['a4']);
    expect(second.counts).toMatchObject({ actionsNew: 1, actionsDuplicate: 3 });
  });

  it("is not held by a user's sync queued for a retry: that is the connector's own event, not an action of the feed", async () => {
    await events.recordIfNew({ source: 'pepper', externalId: 'user-sync:u9', type: 'USER_SYNC', pepperUserId: 'u9', payload: { pepperUserId: 'u9' }, occurredAt: T0.toISOString() });
    const [queued] = await events.findByExternalIds('pepper', ['user-sync:u9']);
    await events.retryLater(queued, 'a contact create in doubt', new Date(T0.getTime() + 3_600_000));
    await poller.poll(ctx());
    expect(await cursor()).toBe(at(270));
  });

  it('parks an event that cannot succeed and moves on', async () => {
    pepper.add('no-user', 'USER_CHANGED', 100, null);
    pepper.add('ok', 'USER_CHANGED', 110, 'u2');
    await poller.poll(ctx());
    const [parked] = await events.findByExternalIds('pepper', ['no-user']);
    expect(parked).toMatchObject({ state: 'FAILED', lastError: expect.stringContaining('context.user._id') });
    expect(linker.synced).toEqual(['u2']);
    expect(await cursor()).toBe(at(270));
  });

  it('parks an action that failed validation at the edge, with the reason', async () => {
    pepper.invalid = [{ raw: { _id: 'bad', type: 'USER_CHANGED', when: 'yesterday' }, reason: 'when.timestamp is not a date', externalId: 'bad' }];
    await poller.poll(ctx());
    const [parked] = await events.findByExternalIds('pepper', ['bad']);
    expect(parked).toMatchObject({ state: 'FAILED', lastError: 'invalid payload: when.timestamp is not a date' });
    expect(await cursor()).toBe(at(270));
  });

  it('stops the run on 401 without touching the cursor or the event', async () => {
    pepper.add('a1', 'USER_CHANGED', 100);
    pepper.failUserReads = new PepperError('Pepper GET /users/u1 answered 401', { code: 'UNAUTHORIZED', status: 401 });
    await expect(poller.poll(ctx())).rejects.toThrow('401');
    const [event] = await events.findByExternalIds('pepper', ['a1']);
    expect(event).toMatchObject({ state: 'PENDING', attempts: 0 });
    expect(await cursor()).toBe(T0.toISOString());
  });

  it('parks an event after its last attempt', async () => {
    pepper.add('a1', 'USER_CHANGED', 100);
    pepper.failUserReads = new PepperError('Pepper GET /users/u1 timed out', { code: 'TIMEOUT' });
    for (let i = 0; i < 5; i++) {
      await poller.poll(ctx());
      clock.advance(2 * 60 * 60_000);
    }
    const [event] = await events.findByExternalIds('pepper', ['a1']);
    expect(event).toMatchObject({ state: 'FAILED', attempts: 5 });
    expect(await cursor()).not.toBe(T0.toISOString());
  });
});
