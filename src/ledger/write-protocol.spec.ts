import { FakeClock } from '../../test/support/fakes/fake-clock';
import { DeferredError, WriteInDoubtError } from '../common/deferred-error';
import { CrmComError } from '../crmcom/crmcom.error';
import type { OutboundWriteEntity, WriteState } from '../persistence/entities';
import type { NewWriteAttempt, WriteLog } from '../persistence/stores/write-log.store';
import { WriteProtocol } from './write-protocol';
import type { SyncMode } from './sync-mode';

/** An in-memory outbound_write log with the store's behaviour. */
class FakeWriteLog {
  rows: OutboundWriteEntity[] = [];
  constructor(private readonly clock: FakeClock) {}
  async begin(input: NewWriteAttempt) {
    const row = { ...input, id: this.rows.length + 1, state: 'PENDING' as WriteState, sentAt: this.clock.now(), upstreamId: null, error: null } as OutboundWriteEntity;
    this.rows.push(row);
    return { ...row };
  }
  private set(attempt: OutboundWriteEntity, fields: Partial<OutboundWriteEntity>) {
    Object.assign(this.rows.find((r) => r.id === attempt.id) as OutboundWriteEntity, fields);
  }
  async done(a: OutboundWriteEntity, upstreamId: string | null) {
    this.set(a, { state: 'DONE', upstreamId });
  }
  async unknown(a: OutboundWriteEntity, error: string) {
    this.set(a, { state: 'UNKNOWN', error });
  }
  async failed(a: OutboundWriteEntity, error: string) {
    this.set(a, { state: 'FAILED', error });
  }
  async attemptsFor(key: string) {
    return this.rows.filter((r) => r.idempotencyKey === key).map((r) => ({ ...r }));
  }
  async unsettled(key: string) {
    return this.rows.filter((r) => r.idempotencyKey === key && (r.state === 'PENDING' || r.state === 'UNKNOWN'));
  }
}

const KEY = 'pepper:app:contact:u1';
const base = { idempotencyKey: KEY, target: 'crmcom' as const, kind: 'CONTACT_CREATE', pepperUserId: 'u1', request: { code: 'u1' } };
const timeout = () => new CrmComError('CRM.COM POST /contacts timed out', { code: 'TIMEOUT', outcomeUnknown: true });
const badRequest = () => new CrmComError('CRM.COM POST /contacts answered 400', { code: 'BAD_REQUEST', status: 400 });

const SETTLE_SECONDS = 120;

describe('WriteProtocol', () => {
  let clock: FakeClock;
  let log: FakeWriteLog;
  let protocol: WriteProtocol;
  beforeEach(() => {
    clock = new FakeClock();
    log = new FakeWriteLog(clock);
    protocol = new WriteProtocol(log as unknown as WriteLog, clock, { writeSettleSeconds: SETTLE_SECONDS }, { isShadow: () => false } as SyncMode);
  });

  it('stores the attempt before sending, then marks it DONE with the upstream id', async () => {
    const send = jest.fn(async () => {
      expect(log.rows).toEqual([expect.objectContaining({ idempotencyKey: KEY, state: 'PENDING' })]);
      return 'contact-1';
    });
    await expect(protocol.write({ ...base, send, readBack: jest.fn() })).resolves.toBe('contact-1');
    expect(log.rows[0]).toMatchObject({ state: 'DONE', upstreamId: 'contact-1' });
  });

  it('marks a clear refusal FAILED and never reads back', async () => {
    const readBack = jest.fn();
    await expect(protocol.write({ ...base, send: () => Promise.reject(badRequest()), readBack })).rejects.toThrow('400');
    expect(log.rows[0].state).toBe('FAILED');
    expect(readBack).not.toHaveBeenCalled();
  });

  it('settles an unknown outcome by reading back instead of sending again', async () => {
    const send = jest.fn(() => Promise.reject(timeout()));
    await expect(protocol.write({ ...base, send, readBack: async () => 'contact-1' })).resolves.toBe('contact-1');
    expect(send).toHaveBeenCalledTimes(1);
    expect(log.rows[0]).toMatchObject({ state: 'DONE', upstreamId: 'contact-1' });
  });

  it('keeps an unknown outcome UNKNOWN while the read-back finds nothing before the settle delay, and defers until then', async () => {
    const error = await protocol.write({ ...base, send: () => Promise.reject(timeout()), readBack: async () => null }).catch((e) => e);
    expect(error).toBeInstanceOf(WriteInDoubtError);
    expect(error).toBeInstanceOf(DeferredError);
    expect((error as WriteInDoubtError).retryAt).toEqual(new Date(clock.nowMs() + SETTLE_SECONDS * 1000));
    expect(log.rows[0]).toMatchObject({ state: 'UNKNOWN', error: expect.stringContaining('timed out') });

    clock.advance(SETTLE_SECONDS * 1000 - 1);
    const send = jest.fn(async () => 'duplicate');
    await expect(protocol.write({ ...base, send, readBack: async () => null })).rejects.toBeInstanceOf(WriteInDoubtError);
    expect(send).not.toHaveBeenCalled();
    expect(log.rows).toHaveLength(1);
  });

  it('settles a slow write as DONE when it becomes visible, even before the settle delay', async () => {
    await protocol.write({ ...base, send: () => Promise.reject(timeout()), readBack: async () => null }).catch(() => undefined);
    clock.advance(5_000);
    const send = jest.fn(async () => 'duplicate');
    await expect(protocol.write({ ...base, send, readBack: async () => 'contact-1' })).resolves.toBe('contact-1');
    expect(send).not.toHaveBeenCalled();
    expect(log.rows).toEqual([expect.objectContaining({ state: 'DONE', upstreamId: 'contact-1' })]);
  });

  it('fails an unknown outcome that a read-back after the settle delay proves absent, and only then sends again', async () => {
    await protocol.write({ ...base, send: () => Promise.reject(timeout()), readBack: async () => null }).catch(() => undefined);
    clock.advance(SETTLE_SECONDS * 1000);
    const send = jest.fn(async () => 'contact-2');
    await expect(protocol.write({ ...base, send, readBack: async () => null })).resolves.toBe('contact-2');
    expect(send).toHaveBeenCalledTimes(1);
    expect(log.rows.map((r) => r.state)).toEqual(['FAILED', 'DONE']);
    expect(log.rows[0].error).toMatch(/absent on read-back after: .*timed out/);
  });

  it('after a crash (attempt left PENDING) and nothing visible yet, marks it UNKNOWN and defers from its sending time', async () => {
    await log.begin(base);
    clock.advance(10_000);
    const send = jest.fn(async () => 'duplicate');
    const error = await protocol.write({ ...base, send, readBack: async () => null }).catch((e) => e);
    expect(error).toBeInstanceOf(WriteInDoubtError);
    expect((error as WriteInDoubtError).retryAt).toEqual(new Date(clock.nowMs() - 10_000 + SETTLE_SECONDS * 1000));
    expect(send).not.toHaveBeenCalled();
    expect(log.rows[0].state).toBe('UNKNOWN');
  });

  it('never sends again a write an operator settled as DONE without an upstream id', async () => {
    const first = await log.begin(base);
    await log.done(first, null);
    const send = jest.fn(async () => 'duplicate');
    await expect(protocol.write({ ...base, send, readBack: async () => null })).resolves.toBeNull();
    await expect(protocol.write({ ...base, send, readBack: async () => 'contact-1' })).resolves.toBe('contact-1');
    expect(send).not.toHaveBeenCalled();
    expect(log.rows).toEqual([expect.objectContaining({ state: 'DONE', upstreamId: 'contact-1' })]);
  });

  it('retries later (keeping the attempt UNKNOWN) when the read-back itself times out', async () => {
    const readBack = jest.fn(() => Promise.reject(timeout()));
    const error = await protocol.write({ ...base, send: () => Promise.reject(timeout()), readBack }).catch((e) => e);
    expect(error).toBeInstanceOf(CrmComError);
    expect(log.rows[0].state).toBe('UNKNOWN');
  });

  it('keeps the attempt UNKNOWN when the read-back cannot tell, even after the settle delay, and names it for an operator', async () => {
    const filterIgnored = new CrmComError('filter ignored', { code: 'FILTER_IGNORED' });
    await expect(
      protocol.write({ ...base, send: () => Promise.reject(timeout()), readBack: () => Promise.reject(filterIgnored) }),
    ).rejects.toThrow(/write #1 is in doubt.*filter ignored.*\/admin\/writes\/1\/settle/);
    expect(log.rows[0].state).toBe('UNKNOWN');

    clock.advance(SETTLE_SECONDS * 1000 + 1);
    const send = jest.fn(async () => 'should-not-happen');
    await expect(protocol.write({ ...base, send, readBack: () => Promise.reject(filterIgnored) })).rejects.toThrow('filter ignored');
    expect(send).not.toHaveBeenCalled();
    expect(log.rows).toHaveLength(1);
    expect(log.rows[0].state).toBe('UNKNOWN');
  });

  it('after a crash (attempt left PENDING) reads back first and does not resend when it happened', async () => {
    await log.begin(base);
    const send = jest.fn(async () => 'duplicate');
    await expect(protocol.write({ ...base, send, readBack: async () => 'contact-1' })).resolves.toBe('contact-1');
    expect(send).not.toHaveBeenCalled();
    expect(log.rows).toEqual([expect.objectContaining({ state: 'DONE', upstreamId: 'contact-1' })]);
  });

  it('never sends again once an attempt is DONE (a crash before its event was marked done)', async () => {
    const first = await log.begin(base);
    await log.done(first, 'contact-1');
    const send = jest.fn(async () => 'duplicate');
    const readBack = jest.fn(async () => null);
    await expect(protocol.write({ ...base, send, readBack })).resolves.toBe('contact-1');
    expect(send).not.toHaveBeenCalled();
    expect(readBack).not.toHaveBeenCalled();
    expect(log.rows).toHaveLength(1);
  });

  it('treats an "already exists" refusal as a question for the read-back', async () => {
    const exists = new CrmComError('exists', { code: 'BAD_REQUEST', status: 400 }, 'CRM.EXCEPTIONS.ALREADYEXISTSEXCEPTION');
    const result = await protocol.write({
      ...base,
      send: () => Promise.reject(exists),
      readBack: async () => 'contact-1',
      meansAlreadyExists: (e) => e instanceof CrmComError && e.crmException === 'CRM.EXCEPTIONS.ALREADYEXISTSEXCEPTION',
    });
    expect(result).toBe('contact-1');
    expect(log.rows[0].state).toBe('DONE');
  });
});
