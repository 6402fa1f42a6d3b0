import { TestingModule } from '@nestjs/testing';
import { getRepositoryToken } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { FakeClock } from '../../../test/support/fakes/fake-clock';
import { UserLinkEntity } from '../entities';
import { storeTestingModule } from '../../../test/support/store-testing-module';
import { LinkStore, LinkTarget } from './link.store';

const T0 = new Date('2026-03-01T12:00:00.000Z');
const HOUR = 60 * 60_000;

describe('LinkStore on SQLite', () => {
  let moduleRef: TestingModule;
  let clock: FakeClock;
  let links: LinkStore;
  let repo: Repository<UserLinkEntity>;

  beforeEach(async () => {
    clock = new FakeClock(T0);
    moduleRef = await storeTestingModule(clock);
    links = moduleRef.get(LinkStore);
    repo = moduleRef.get(getRepositoryToken(UserLinkEntity));
  });
  afterEach(() => moduleRef.close());

  const target = (contact: string): LinkTarget => ({ crmContactId: contact, crmAccountId: `acc-${contact}`, crmWalletId: `wal-${contact}`, matchedBy: 'EMAIL' });
  const openingIds = async () => (await links.linkedWithoutOpening(0, 100)).map((l) => l.pepperUserId);

  it('links a user, then marks the same row CONFLICT (contact cleared) or DELETED (contact kept, no longer LINKED)', async () => {
    const linked = await links.link('u1', target('c1'), 'fp-1');
    expect(await links.findByUser('u1')).toMatchObject({ status: 'LINKED', crmContactId: 'c1', crmAccountId: 'acc-c1', crmWalletId: 'wal-c1', matchedBy: 'EMAIL', profileFingerprint: 'fp-1', linkedAt: T0, openingAt: null });
    expect((await links.findLinkedByContact('c1'))?.pepperUserId).toBe('u1');

    await links.markConflict('u1');
    expect(await links.findByUser('u1')).toMatchObject({ id: linked.id, status: 'CONFLICT', crmContactId: null, crmAccountId: null, crmWalletId: null, matchedBy: null });
    expect(await links.findLinkedByContact('c1')).toBeNull();

    await links.link('u1', target('c1'), 'fp-1');
    await links.markDeleted('u1');
    expect(await links.findByUser('u1')).toMatchObject({ id: linked.id, status: 'DELETED', crmContactId: 'c1' });
    expect(await links.findLinkedByContact('c1')).toBeNull();
    expect(await repo.count()).toBe(1);

    await links.markConflict('u-new'); // a user never linked gets a CONFLICT row of its own
    expect(await links.findByUser('u-new')).toMatchObject({ status: 'CONFLICT', crmContactId: null });
  });

  it('refuses a second LINKED row for one contact (partial unique index), but not once the first is DELETED or in CONFLICT', async () => {
    await links.link('u1', target('c1'), null);
    await expect(links.link('u2', target('c1'), null)).rejects.toThrow(/UNIQUE constraint failed|duplicate key value violates unique constraint/);
    expect(await links.findByUser('u2')).toBeNull();
    expect((await links.findLinkedByContact('c1'))?.pepperUserId).toBe('u1');

    await links.markDeleted('u1'); // the deleted user's row keeps c1
    await links.link('u2', target('c1'), null);
    expect((await links.findLinkedByContact('c1'))?.pepperUserId).toBe('u2');

    await links.link('u3', target('c3'), null);
    await links.markConflict('u3');
    await links.link('u4', target('c3'), null);
    expect((await links.findLinkedByContact('c3'))?.pepperUserId).toBe('u4');
  });

  it('lists LINKED users whose opening balance was not taken, in id order and by page, until setOpeningAt', async () => {
    await links.link('u1', target('c1'), null);
    await links.link('u2', target('c2'), null);
    await links.link('u3', target('c3'), null);
    await links.link('u4', target('c4'), null);
    await links.markConflict('u3');
    await links.markDeleted('u4');
    expect(await openingIds()).toEqual(['u1', 'u2']);

    const [first] = await links.linkedWithoutOpening(0, 1);
    expect(first.pepperUserId).toBe('u1');
    expect((await links.linkedWithoutOpening(first.id, 10)).map((l) => l.pepperUserId)).toEqual(['u2']);

    await links.setOpeningAt('u1', new Date(T0.getTime() + HOUR));
    expect((await links.findByUser('u1'))?.openingAt).toEqual(new Date(T0.getTime() + HOUR));
    expect(await openingIds()).toEqual(['u2']);
  });

  it('relinking resets the opening (a new contact has its own opening balance) and the link time', async () => {
    await links.link('u1', target('c1'), null);
    await links.setOpeningAt('u1', T0);
    expect(await openingIds()).toEqual([]);
    clock.advance(HOUR);
    await links.link('u1', target('c9'), null);
    expect(await links.findByUser('u1')).toMatchObject({ crmContactId: 'c9', openingAt: null, linkedAt: new Date(T0.getTime() + HOUR) });
    expect(await openingIds()).toEqual(['u1']);
  });
});
