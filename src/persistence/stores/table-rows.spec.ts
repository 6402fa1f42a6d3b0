import { TestingModule } from '@nestjs/testing';
import { getRepositoryToken } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { FakeClock } from '../../../test/support/fakes/fake-clock';
import { onPostgres } from '../../../test/support/test-database';
import { storeTestingModule } from '../../../test/support/store-testing-module';
import { isUniqueViolation } from '../constraint-violation';
import { ContactIndexEntity, OutboundWriteEntity } from '../entities';
import { TableRows } from '../table-rows';

const T0 = new Date('2026-03-01T12:00:00.123Z');

// The hot path's SQL must store and read exactly what the repository does: dates, JSON, booleans, nulls, ids.
describe(`TableRows on ${onPostgres ? 'PostgreSQL' : 'SQLite'}`, () => {
  let moduleRef: TestingModule;
  let writes: Repository<OutboundWriteEntity>;
  let contacts: Repository<ContactIndexEntity>;

  beforeEach(async () => {
    moduleRef = await storeTestingModule(new FakeClock(T0));
    writes = moduleRef.get(getRepositoryToken(OutboundWriteEntity));
    contacts = moduleRef.get(getRepositoryToken(ContactIndexEntity));
  });
  afterEach(() => moduleRef.close());

  const attempt = (key: string): Partial<OutboundWriteEntity> => ({
    idempotencyKey: key,
    target: 'crmcom',
    kind: 'CONTACT_CREATE',
    pepperUserId: 'u1',
    points: 120,
    amountMinor: null,
    request: { code: 'u1', nested: { list: [1, 'two'] } },
    response: null,
    state: 'PENDING',
    sentAt: T0,
    createdAt: T0,
    updatedAt: T0,
  });

  const contact = (id: string, over: Partial<ContactIndexEntity> = {}): ContactIndexEntity => ({
    contactId: id,
    code: `code-${id}`,
    email: `${id}@example.com`,
    phoneNumber: '+35799000000',
    firstName: 'Ann',
    lastName: null,
    walletId: null,
    walletBalanceMinor: 1250,
    walletReadAt: T0,
    emailOptOut: true,
    smsOptOut: false,
    createdOn: 1_700_000_000,
    ...over,
  });

  it('inserts a row the repository reads back as if it had inserted it, and answers its generated id', async () => {
    const rows = new TableRows(writes);
    const id = await rows.insert(attempt('k-rows'));
    await writes.insert(attempt('k-repo') as never);

    const viaRows = await writes.findOneByOrFail({ idempotencyKey: 'k-rows' });
    const viaRepo = await writes.findOneByOrFail({ idempotencyKey: 'k-repo' });
    expect(viaRows.id).toBe(id);
    expect({ ...viaRows, id: 0, idempotencyKey: '' }).toEqual({ ...viaRepo, id: 0, idempotencyKey: '' });
    expect(viaRows).toMatchObject({ request: { code: 'u1', nested: { list: [1, 'two'] } }, sentAt: T0, points: 120, amountMinor: null });
  });

  it('reads rows as the repository reads them (dates, JSON, booleans, nulls), in the order asked', async () => {
    await writes.insert([attempt('k1'), { ...attempt('k1'), state: 'UNKNOWN', error: 'timeout' }] as never);
    await contacts.insert(contact('c1'));
    const rows = new TableRows(writes);

    const read = await rows.select('"idempotencyKey" = ? ORDER BY "id" DESC', ['k1']);
    expect(read.map((r) => r.state)).toEqual(['UNKNOWN', 'PENDING']);
    expect(read[1]).toEqual(await writes.findOneByOrFail({ id: read[1].id }));
    expect(read[1]).toBeInstanceOf(OutboundWriteEntity);

    const listed = await new TableRows(contacts).selectOne('"contactId" = ?', ['c1']);
    expect(listed).toEqual(await contacts.findOneByOrFail({ contactId: 'c1' }));
    expect(listed).toMatchObject({ emailOptOut: true, smsOptOut: false, walletReadAt: T0, lastName: null, walletBalanceMinor: 1250 });
    expect(await new TableRows(contacts).selectOne('"contactId" = ?', ['none'])).toBeNull();
  });

  it('updates the rows matched, answers how many, and moves their update date as the repository would', async () => {
    const rows = new TableRows(writes);
    const id = (await rows.insert(attempt('k1'))) as number;
    await rows.insert(attempt('k2'));

    const changed = await rows.update({ state: 'DONE', upstreamId: 'contact-9', response: { ok: true } }, '"id" = ?', [id]);
    expect(changed).toBe(1);
    const row = await writes.findOneByOrFail({ id });
    expect(row).toMatchObject({ state: 'DONE', upstreamId: 'contact-9', response: { ok: true }, sentAt: T0 });
    expect(row.updatedAt.getTime()).not.toBe(T0.getTime());
    expect((await writes.findOneByOrFail({ idempotencyKey: 'k2' })).state).toBe('PENDING');
    expect(await rows.update({ state: 'DONE' }, `"idempotencyKey" = ? AND "state" = 'PENDING'`, ['nothing'])).toBe(0);
  });

  it('inserts a row only if absent when asked (answering whether it did), and fails with a unique violation otherwise', async () => {
    const rows = new TableRows(contacts);
    expect(await rows.insertIfAbsent(contact('c1'))).toBe(true);
    expect(await rows.insertIfAbsent(contact('c1', { firstName: 'Other' }))).toBe(false);
    expect((await contacts.findOneByOrFail({ contactId: 'c1' })).firstName).toBe('Ann');

    const error = await rows.insert(contact('c1')).catch((e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
  });
});
