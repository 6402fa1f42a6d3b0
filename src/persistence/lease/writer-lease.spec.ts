import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { FakeClock } from '../../../test/support/fakes/fake-clock';
import { testConfig } from '../../../test/support/upstream/test-config';
import { buildDataSourceOptions, prepareDatabaseFile } from '../data-source-options';
import { LeaseEntity } from '../entities';
import { LeaseStore } from '../stores/lease.store';
import { LeaseRefusedError } from './lease-refused.error';
import { WRITER_LEASE, WriterLease } from './writer-lease';

const TTL_SECONDS = 30;

/** Two "processes": two connections to one SQLite file, each with its own WriterLease, sharing a fake clock. */
async function openDatabase(path: string): Promise<DataSource> {
  prepareDatabaseFile(path);
  return new DataSource(buildDataSourceOptions(path)).initialize();
}

describe('WriterLease on a real SQLite file', () => {
  let path: string;
  let sources: DataSource[];
  let clock: FakeClock;
  let lost: string[];
  const leases: WriterLease[] = [];

  async function process(): Promise<{ lease: WriterLease; store: LeaseStore }> {
    const source = await openDatabase(path);
    sources.push(source);
    const store = new LeaseStore(source.getRepository(LeaseEntity));
    const lease = new WriterLease(testConfig({ databasePath: path, leaseTtlSeconds: TTL_SECONDS }), store, clock, (reason) => lost.push(reason));
    leases.push(lease);
    return { lease, store };
  }

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(() => {
    path = join(mkdtempSync(join(tmpdir(), 'lease-spec-')), 'connector.sqlite');
    sources = [];
    clock = new FakeClock();
    lost = [];
  });

  afterEach(async () => {
    for (const lease of leases.splice(0)) await lease.onApplicationShutdown();
    for (const source of sources) await source.destroy();
  });

  it('acquires a free lease with token 1, recording holder, acquiredAt and heartbeatAt', async () => {
    const a = await process();
    await a.lease.acquire();
    expect(a.lease.heldToken).toBe(1);
    expect(await a.store.get(WRITER_LEASE)).toEqual({
      name: WRITER_LEASE,
      holder: a.lease.holder,
      token: 1,
      acquiredAt: clock.now().toISOString(),
      heartbeatAt: clock.now().toISOString(),
    });
    expect(a.lease.holder).toMatch(/^[^:]+:\d+:[0-9a-f]{8}$/);
  });

  it('refuses a second holder while the first heartbeats, naming the holder, its last heartbeat and when it can take over', async () => {
    const a = await process();
    const b = await process();
    await a.lease.acquire();
    clock.advance(10_000);
    await a.lease.heartbeat();
    clock.advance(5_000);

    const refusal = await b.lease.acquire().then(() => null, (error: unknown) => error);
    expect(refusal).toBeInstanceOf(LeaseRefusedError);
    const message = (refusal as Error).message;
    expect(message).toContain(`holder ${a.lease.holder}`);
    expect(message).toContain('last heartbeat 2026-01-01T12:00:10.000Z (5.0 s ago)');
    expect(message).toContain(`take over at 2026-01-01T12:00:40.000Z`);
    expect(message).toContain(`LEASE_TTL_SECONDS=${TTL_SECONDS}`);
    expect(b.lease.heldToken).toBeNull();
    expect((await a.store.get(WRITER_LEASE))?.holder).toBe(a.lease.holder);
  });

  it('lets another process take over an expired lease (no heartbeat for the TTL), with the next fencing token', async () => {
    const a = await process();
    const b = await process();
    await a.lease.acquire();
    clock.advance(TTL_SECONDS * 1000); // exactly the TTL: still held
    await expect(b.lease.acquire()).rejects.toBeInstanceOf(LeaseRefusedError);
    clock.advance(1);
    await b.lease.acquire();
    expect(b.lease.heldToken).toBe(2);
    expect(await b.store.get(WRITER_LEASE)).toMatchObject({ holder: b.lease.holder, token: 2, acquiredAt: clock.now().toISOString() });
  });

  it('a process that finds its lease taken (fencing) stops: the handler is called once and it no longer heartbeats', async () => {
    const a = await process();
    const b = await process();
    await a.lease.acquire();
    clock.advance(TTL_SECONDS * 1000 + 1); // a paused process (GC, a stopped VM) misses its heartbeats
    await b.lease.acquire();

    await a.lease.heartbeat();
    expect(lost).toEqual([expect.stringContaining(`held by ${b.lease.holder} (token 2, ours was 1)`)]);
    expect(a.lease.heldToken).toBeNull();
    await a.lease.heartbeat();
    expect(lost).toHaveLength(1);
    // b's heartbeat is not disturbed by a's, and a's shutdown does not release b's lease.
    await a.lease.onApplicationShutdown();
    await b.lease.heartbeat();
    expect(lost).toHaveLength(1);
    expect((await b.store.get(WRITER_LEASE))?.holder).toBe(b.lease.holder);
  });

  it('releases on shutdown, so the next process acquires at once (before the TTL), with the next token', async () => {
    const a = await process();
    const b = await process();
    await a.lease.acquire();
    await a.lease.onApplicationShutdown();
    expect((await a.store.get(WRITER_LEASE))?.holder).toBeNull();
    await b.lease.acquire();
    expect(b.lease.heldToken).toBe(2);
  });

  it('re-acquires its own lease (already ours)', async () => {
    const a = await process();
    await a.lease.acquire();
    await a.lease.acquire();
    expect(a.lease.heldToken).toBe(2);
  });

  it('a heartbeat that cannot reach the database stops the process only once a whole TTL has passed without one', async () => {
    const a = await process();
    await a.lease.acquire();
    await sources[0].destroy();
    sources.splice(0, 1);
    clock.advance(TTL_SECONDS * 1000 - 1);
    await a.lease.heartbeat();
    expect(lost).toEqual([]);
    clock.advance(2);
    await a.lease.heartbeat();
    expect(lost).toEqual([expect.stringContaining('no writer lease heartbeat for 30 s')]);
  });
});
