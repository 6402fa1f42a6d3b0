import { hostname } from 'node:os';
import request from 'supertest';
import { ChildConnector, ChildSetup, spawnConnector, startOrExit, startSimulatorsForChild, waitUntilLeaseExpired } from '../support/chaos/child-connector';
import { queryDb, writeDb } from '../support/chaos/db';

const STACK_TRACE = /\n\s+at \S.*:\d+:\d+\)?/;
const TTL_SECONDS = 2;

interface LeaseRow {
  holder: string | null;
  token: number;
  heartbeatAt: string | null;
}

async function lease(databasePath: string): Promise<LeaseRow | undefined> {
  return (await queryDb<LeaseRow>(databasePath, "SELECT holder, token, heartbeatAt FROM lease WHERE name = 'writer'"))[0];
}

describe('chaos: one writer per database (e2e)', () => {
  let setup: ChildSetup;
  const children: ChildConnector[] = [];
  const spawn = async (env: Record<string, string> = {}) => {
    const child = await spawnConnector({ ...setup.env, ...env });
    children.push(child);
    return child;
  };

  beforeEach(async () => {
    setup = await startSimulatorsForChild({ env: { LEASE_TTL_SECONDS: String(TTL_SECONDS) } });
  });

  afterEach(async () => {
    for (const child of children.splice(0)) await child.kill('SIGKILL');
    await setup.close();
  });

  it('a second process on the same database refuses to start: exit 1, one message naming the holder, its last heartbeat and when it can take over', async () => {
    const first = await spawn();
    const { child: second, outcome } = await startOrExit(setup.env);
    children.push(second);

    expect(outcome).toEqual({ code: 1, signal: null });
    const message = second.stderr();
    expect(message).toContain(`${hostname()}:${first.pid}:`);
    expect(message).toMatch(/last heartbeat \d{4}-\d\d-\d\dT/);
    expect(message).toMatch(/take over at \d{4}-\d\d-\d\dT/);
    expect(message).toContain('LEASE_TTL_SECONDS');
    expect(message).not.toMatch(STACK_TRACE);
    // The holder is untouched and still serving.
    await request(first.url).get('/health').expect(200);
    expect((await lease(setup.databasePath))?.holder).toContain(`:${first.pid}:`);
  }, 120_000);

  it('after the holder is SIGKILLed, a new process takes over once the TTL has passed, with a new fencing token', async () => {
    const first = await spawn();
    const held = (await lease(setup.databasePath)) as LeaseRow;
    expect(await first.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    // Wait for the lease to expire (no heartbeat for the TTL), not a fixed time.
    await waitUntilLeaseExpired(setup.databasePath, TTL_SECONDS);

    const second = await spawn();
    const taken = (await lease(setup.databasePath)) as LeaseRow;
    expect(taken.holder).toContain(`:${second.pid}:`);
    expect(taken.token).toBe(held.token + 1);
  }, 120_000);

  it('SIGTERM releases the lease: the next process starts at once, long before the TTL', async () => {
    const longTtl = { LEASE_TTL_SECONDS: '600' };
    const first = await spawn(longTtl);
    const exit = await first.kill('SIGTERM');
    expect(exit.code === 0 || (exit.code === null && exit.signal === 'SIGTERM')).toBe(true);
    expect((await lease(setup.databasePath))?.holder).toBeNull();

    const second = await spawn(longTtl);
    expect((await lease(setup.databasePath))?.holder).toContain(`:${second.pid}:`);
  }, 120_000);

  it('a holder whose heartbeat finds the lease taken by another process (fencing) logs an error and exits non-zero', async () => {
    const first = await spawn();
    await writeDb(setup.databasePath, "UPDATE lease SET holder = 'elsewhere:1:intruder', token = token + 1, heartbeatAt = ? WHERE name = 'writer'", [
      new Date().toISOString(),
    ]);
    const exit = await first.exited;
    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    expect(first.stdout() + first.stderr()).toMatch(/writer lease.*elsewhere:1:intruder/);
    expect(first.stderr()).not.toMatch(STACK_TRACE);
  }, 120_000);
});
