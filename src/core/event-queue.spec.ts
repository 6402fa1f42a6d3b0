import { FakeClock } from '../../test/support/fakes/fake-clock';
import type { InboundEventEntity } from '../persistence/entities';
import type { EventStore } from '../persistence/stores/event.store';
import { EventQueue, EventQueueTiming } from './event-queue';
import type { EventHandler, HandleResult } from './handle-result';
import { RunContext } from './job-runner';

const event = (id: number, pepperUserId: string | null): InboundEventEntity =>
  ({ id, source: 'pepper', externalId: `a${id}`, type: 'ORDER_COMPLETED', pepperUserId, attempts: 0 }) as InboundEventEntity;

/** The queue's store: a fixed backlog handed out once, and what was settled, in order. */
class BacklogStore {
  settled: number[] = [];
  /** the batch size of each call of due() */
  asked: number[] = [];
  private handedOut = false;
  readonly claimRenewEveryMs = 0;
  constructor(private readonly backlog: InboundEventEntity[], readonly sharesQueue = false) {}
  async due(_source: string, limit: number): Promise<InboundEventEntity[]> {
    this.asked.push(limit);
    if (this.handedOut) return [];
    this.handedOut = true;
    return this.backlog.slice(0, limit);
  }
  async overdueWaits(): Promise<InboundEventEntity[]> {
    return [];
  }
  async settle(e: InboundEventEntity): Promise<void> {
    this.settled.push(e.id);
  }
  async releaseClaims(): Promise<void> {}
  async renewClaims(): Promise<void> {}
}

/** A handler whose events finish only when the test says so; it records when each started. */
class GatedHandler implements EventHandler {
  started: number[] = [];
  private readonly gates = new Map<number, () => void>();
  async handle(e: InboundEventEntity): Promise<HandleResult> {
    this.started.push(e.id);
    await new Promise<void>((release) => this.gates.set(e.id, release));
    return { state: 'DONE', note: null };
  }
  finish(id: number): void {
    const release = this.gates.get(id);
    if (!release) throw new Error(`event ${id} has not started`);
    release();
  }
}

class TestQueue extends EventQueue {
  constructor(store: BacklogStore, handler: EventHandler, timing: EventQueueTiming) {
    super('pepper', store as unknown as EventStore, handler, new FakeClock(), timing);
  }
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

describe('EventQueue', () => {
  it('works several users at once, and one user\'s events one at a time in order', async () => {
    // u1: 1, 3, 5; u2: 2, 4; 6 names no user
    const store = new BacklogStore([event(1, 'u1'), event(2, 'u2'), event(3, 'u1'), event(4, 'u2'), event(5, 'u1'), event(6, null)]);
    const handler = new GatedHandler();
    const queue = new TestQueue(store, handler, { deferMs: 1000, maxWaitMs: 3_600_000, concurrency: 2 });
    const run = queue.processDue(new RunContext('run', 'ADMIN', () => false));

    await flush();
    expect(handler.started).toEqual([1, 2]); // two users at once; u1's 3 waits for its 1
    handler.finish(2);
    await flush();
    expect(handler.started).toEqual([1, 2, 4]);
    handler.finish(4);
    await flush();
    expect(handler.started).toEqual([1, 2, 4, 6]); // u2 done: its lane picks up the next lane
    handler.finish(1);
    await flush();
    expect(handler.started).toEqual([1, 2, 4, 6, 3]);
    handler.finish(6);
    handler.finish(3);
    await flush();
    handler.finish(5);
    await run;

    expect(store.settled).toEqual([2, 4, 1, 6, 3, 5]);
    const u1 = store.settled.filter((id) => [1, 3, 5].includes(id));
    expect(u1).toEqual([1, 3, 5]);
  });

  it('works one event at a time without a concurrency', async () => {
    const store = new BacklogStore([event(1, 'u1'), event(2, 'u2')]);
    const handler = new GatedHandler();
    const run = new TestQueue(store, handler, { deferMs: 1000, maxWaitMs: 3_600_000 }).processDue(new RunContext('run', 'ADMIN', () => false));
    await flush();
    expect(handler.started).toEqual([1]);
    handler.finish(1);
    await flush();
    handler.finish(2);
    await run;
    expect(store.settled).toEqual([1, 2]);
  });

  it('claims at most two events per lane at a time when several instances share the queue, so each gets a share', async () => {
    const backlog = Array.from({ length: 50 }, (_, i) => event(i + 1, `u${i + 1}`));
    const timing = { deferMs: 1000, maxWaitMs: 3_600_000, concurrency: 4 };
    const run = async (store: BacklogStore): Promise<void> => {
      const handler: EventHandler = { handle: async () => ({ state: 'DONE', note: null }) };
      await new TestQueue(store, handler, timing).processDue(new RunContext('run', 'ADMIN', () => false));
    };

    const shared = new BacklogStore(backlog, true);
    await run(shared);
    expect(shared.asked[0]).toBe(8);
    expect(shared.settled).toHaveLength(8);

    const alone = new BacklogStore(backlog);
    await run(alone);
    expect(alone.asked[0]).toBe(200);
    expect(alone.settled).toHaveLength(50);
  });
});
