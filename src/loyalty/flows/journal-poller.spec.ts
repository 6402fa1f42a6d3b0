import { TestingModule } from '@nestjs/testing';
import { FakeClock } from '../../../test/support/fakes/fake-clock';
import { storeTestingModule } from '../../../test/support/store-testing-module';
import { testConfig } from '../../../test/support/upstream/test-config';
import type { CrmComClient } from '../../crmcom/crmcom.client';
import type { CrmJournal, CrmJournalsQuery } from '../../crmcom/crmcom.types';
import type { EventParking } from '../../core/event-parking';
import { RunContext } from '../../core/job-runner';
import { EventStore } from '../../persistence/stores/event.store';
import { LinkStore } from '../../persistence/stores/link.store';
import { SyncStateStore } from '../../persistence/stores/sync-state.store';
import type { ValidatedPage } from '../../upstream/paging';
import type { CrmEventProcessor } from './crm-event-processor';
import { JournalPoller } from './journal-poller';
import { OPENING_BALANCE_EVENT } from './opening-balance';

const T0 = new Date('2026-03-01T12:00:00.000Z');
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** CRM.COM's journal list, filtered by posted_on, in pages of two. */
class FakeJournals {
  journals: CrmJournal[] = [];
  async *journalsPages(q: CrmJournalsQuery): AsyncGenerator<ValidatedPage<CrmJournal>> {
    const found = this.journals.filter((j) => j.postedOn >= q.postedOnGte);
    for (let i = 0; i < found.length || i === 0; i += 2) yield { items: found.slice(i, i + 2), invalid: [] };
  }
  add(id: string, postedOn: number): void {
    this.journals.push({ id, type: 'CREDIT', transactionType: null, amountMinor: 100, currency: 'EUR', postedOn, contactId: 'c1', walletId: 'w1', entity: 'WALLET' } as CrmJournal);
  }
}

describe('JournalPoller', () => {
  let moduleRef: TestingModule;
  let clock: FakeClock;
  let crm: FakeJournals;
  let events: EventStore;
  let syncState: SyncStateStore;
  let poller: JournalPoller;
  let settleOnProcess: boolean;
  const ctx = () => new RunContext('run', 'SCHEDULE', () => false);
  const cursor = async () => (await syncState.get('crmcom.journals'))?.cursor;

  beforeEach(async () => {
    clock = new FakeClock(T0);
    settleOnProcess = false;
    moduleRef = await storeTestingModule(clock);
    crm = new FakeJournals();
    events = moduleRef.get(EventStore);
    syncState = moduleRef.get(SyncStateStore);
    // the processor leaves every event as it is (what holds the cursor is what the test records), or settles the due ones
    const processor = {
      processDue: async () => {
        if (!settleOnProcess) return;
        for (const event of await events.due('crmcom', 500)) await events.settle(event, 'SKIPPED');
      },
    } as unknown as CrmEventProcessor;
    const parking = { parkInvalid: async () => undefined } as unknown as EventParking;
    poller = new JournalPoller(testConfig(), crm as unknown as CrmComClient, events, moduleRef.get(LinkStore), syncState, parking, processor, clock);
    await syncState.initialiseCursor('crmcom.journals', T0.toISOString(), T0);
  });
  afterEach(() => moduleRef.close());

  it('holds its cursor for an unsettled journal, but not for an opening balance still to be applied (not a journal of the feed)', async () => {
    clock.advance(60_000);
    await events.recordIfNew({ source: 'crmcom', externalId: 'opening:u1', type: OPENING_BALANCE_EVENT, pepperUserId: 'u1', payload: {}, occurredAt: clock.now().toISOString() });
    await poller.poll(ctx());
    expect(await cursor()).toBe(clock.now().toISOString());

    crm.add('j1', seconds(clock.now()));
    clock.advance(60_000);
    const held = ctx();
    await poller.poll(held); // j1 is recorded, and PENDING: the feed waits for it
    expect(held.counts).toMatchObject({ journalsNew: 1, cursorHeld: 1 });
    expect(await cursor()).toBe(new Date(T0.getTime() + 60_000).toISOString());
  });

  it('catches up on more journals than one poll reads even when they all fall inside the overlap (a seed, a busy lunch)', async () => {
    // 50 pages of 2 a poll; 250 journals in 60 s, well inside the 300 s overlap
    const first = seconds(clock.now());
    for (let i = 0; i < 250; i++) crm.add(`j${String(i).padStart(3, '0')}`, first + Math.floor(i / 5));
    clock.advance(120_000);
    settleOnProcess = true;
    const recorded = async () => (await events.knownOf('crmcom', crm.journals.map((j) => j.id))).size;
    for (let poll = 0; poll < 3; poll++) {
      await poller.poll(ctx());
      clock.advance(5_000);
    }
    expect(await recorded()).toBe(250);
    expect((await syncState.get('crmcom.journals'))?.stage).toBe('IDLE');
    expect(await cursor()).toBe(new Date(clock.now().getTime() - 5_000).toISOString());
  });
});
