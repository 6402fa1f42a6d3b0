import { TestingModule } from '@nestjs/testing';
import { FakeClock } from '../../../test/support/fakes/fake-clock';
import { storeTestingModule } from '../../../test/support/store-testing-module';
import { AwardMirrorStore } from './award-mirror.store';

describe('AwardMirrorStore', () => {
  let moduleRef: TestingModule;
  let awards: AwardMirrorStore;

  beforeEach(async () => {
    moduleRef = await storeTestingModule(new FakeClock(new Date('2026-03-01T12:00:00Z')));
    awards = moduleRef.get(AwardMirrorStore);
  });
  afterEach(() => moduleRef.close());

  const at = (minute: number): string => `2026-03-01T12:${String(minute).padStart(2, '0')}:00.000Z`;

  it('stores a bulk page as observe would: a newer report replaces, an older one never winds a balance back', async () => {
    await awards.observe({ awardId: 'a1', pepperUserId: 'u1', perkId: 'p', pointsAvailable: 50, asOf: at(30) });
    await awards.observe({ awardId: 'a2', pepperUserId: 'u2', perkId: 'p', pointsAvailable: 70, asOf: at(10) });

    await awards.observeMany([
      { awardId: 'a1', pepperUserId: 'u1', perkId: 'p', pointsAvailable: 10, asOf: at(20) }, // older than stored: ignored
      { awardId: 'a2', pepperUserId: 'u2', perkId: 'p', pointsAvailable: 80, asOf: at(20) }, // newer: applied
      { awardId: 'a3', pepperUserId: 'u3', perkId: 'p', pointsAvailable: 5, asOf: at(1) },
      { awardId: 'a3', pepperUserId: 'u3', perkId: 'p', pointsAvailable: 6, asOf: at(2) }, // the same award twice: the newer counts
    ]);

    expect(await awards.get('a1')).toMatchObject({ pointsAvailable: 50, asOf: at(30) });
    expect(await awards.get('a2')).toMatchObject({ pointsAvailable: 80, asOf: at(20) });
    expect(await awards.get('a3')).toMatchObject({ pointsAvailable: 6, asOf: at(2) });
    expect(await awards.count()).toBe(3);
  });

  it('takes more than one chunk of a large download', async () => {
    const page = Array.from({ length: 450 }, (_, i) => ({ awardId: `a${i}`, pepperUserId: `u${i}`, perkId: 'p', pointsAvailable: i, asOf: at(5) }));
    await awards.observeMany(page);
    expect(await awards.count()).toBe(450);
    expect(await awards.findFor('u449', 'p')).toMatchObject({ pointsAvailable: 449 });
  });
});
