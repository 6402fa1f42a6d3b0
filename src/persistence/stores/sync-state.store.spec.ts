import { TestingModule } from '@nestjs/testing';
import { FakeClock } from '../../../test/support/fakes/fake-clock';
import { storeTestingModule } from '../../../test/support/store-testing-module';
import { SyncStateStore } from './sync-state.store';

describe('SyncStateStore', () => {
  let moduleRef: TestingModule;
  let states: SyncStateStore;

  beforeEach(async () => {
    moduleRef = await storeTestingModule(new FakeClock(new Date('2026-03-01T12:00:00Z')));
    states = moduleRef.get(SyncStateStore);
  });
  afterEach(() => moduleRef.close());

  it('reads several feeds in one go, each as get() reads it, leaving out those never written', async () => {
    await states.update('pepper.users-seed', { stage: 'RUNNING', startedAt: new Date('2026-03-01T11:00:00Z') });
    await states.update('pepper.awards-snapshot', { stage: 'DONE', cursor: '2026-03-01T11:00:05.000Z' });
    const many = await states.getMany(['pepper.users-seed', 'pepper.awards-snapshot', 'crmcom.journals']);
    expect([...many.keys()].sort()).toEqual(['pepper.awards-snapshot', 'pepper.users-seed']);
    expect(many.get('pepper.users-seed')).toEqual(await states.get('pepper.users-seed'));
    expect(many.get('pepper.awards-snapshot')).toMatchObject({ stage: 'DONE', cursor: '2026-03-01T11:00:05.000Z' });
  });
});
