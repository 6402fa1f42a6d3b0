import { waitFor } from '../harness';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import request from 'supertest';
import { CrmComSimulator } from '../../../packages/simulators/src/crmcom';
import type { CrmComSimulatorOptions } from '../../../packages/simulators/src/crmcom/crmcom-simulator';
import { PepperSimulator } from '../../../packages/simulators/src/pepper/pepper-simulator';
import type { RunningServer } from '../../../packages/simulators/src/shared/listen';
import { ADMIN_TOKEN, APP_ID, CRM_API_KEY, Harness, PEPPER_TOKEN } from '../harness';
import { LOYALTY_ENV, WALLET_PERK } from '../loyalty';
import { queryDb } from './db';
import { createTestSchema, onPostgres, registerPostgresPath } from '../test-database';
import { instrumentCrm, instrumentPepper } from './instrument';
import type { InvariantTarget } from './invariants';

const REPO = resolve(__dirname, '../../..');
const MAIN = join(REPO, 'src/main.ts');
const TS_NODE = require.resolve('ts-node/register/transpile-only');

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The production entry (src/main.ts) as a real child process: real signals, real crashes, real start-up. */
export interface ChildConnector {
  url: string;
  port: number;
  pid: number;
  stdout(): string;
  stderr(): string;
  /** settles when the process has exited */
  exited: Promise<Exit>;
  kill(signal: NodeJS.Signals): Promise<Exit>;
  admin: Harness['admin'];
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * Spawns `node -r ts-node/register/transpile-only src/main.ts` in an empty temp directory (so no .env is read), with
 * only the given environment (plus PATH/HOME and the ts-node project), on a free port. Resolves once GET /health
 * answers 200; rejects with the process output if it exits or does not answer in time.
 */
export async function spawnConnector(env: Record<string, string>, options: { timeoutMs?: number; waitForHealth?: boolean } = {}): Promise<ChildConnector> {
  const port = await freePort();
  const cwd = mkdtempSync(join(tmpdir(), 'connector-child-cwd-'));
  const child: ChildProcess = spawn(process.execPath, ['-r', TS_NODE, MAIN], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? cwd,
      TS_NODE_PROJECT: join(REPO, 'tsconfig.json'),
      NO_COLOR: '1',
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<Exit>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  const url = `http://127.0.0.1:${port}`;
  const connector: ChildConnector = {
    url,
    port,
    pid: child.pid as number,
    stdout: () => out,
    stderr: () => err,
    exited,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    admin: {
      get: (path) => request(url).get(path).set('Authorization', `Bearer ${ADMIN_TOKEN}`),
      post: (path, body = {}) => request(url).post(path).set('Authorization', `Bearer ${ADMIN_TOKEN}`).send(body),
    },
  };
  if (options.waitForHealth === false) return connector;

  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let gone: Exit | null = null;
  void exited.then((exit) => (gone = exit));
  for (;;) {
    if (gone) throw new Error(`the connector exited (${JSON.stringify(gone)}) before answering /health:\n${err || out}`);
    try {
      const res = await request(url).get('/health').timeout(1_000);
      if (res.status === 200) return connector;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await connector.kill('SIGKILL');
      throw new Error(`the connector did not answer /health in time:\n${err || out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts a child and tells whether it came up (answered /health) or exited first (a refused start). */
export async function startOrExit(env: Record<string, string>): Promise<{ child: ChildConnector; outcome: 'started' | Exit }> {
  const child = await spawnConnector(env, { waitForHealth: false });
  let exit: Exit | null = null;
  void child.exited.then((e) => (exit = e));
  await waitFor(
    async () => {
      if (exit) return;
      expect((await request(child.url).get('/health').timeout(1_000)).status).toBe(200);
    },
    60_000,
    100,
  );
  return { child, outcome: exit ?? 'started' };
}

/** Child connectors run with a short writer lease, so a restart after a SIGKILL waits seconds, not half a minute. */
export const CHILD_LEASE_TTL_SECONDS = 2;

/**
 * After a SIGKILL the dead process's writer lease stays until its heartbeat is the TTL old (a new process is refused
 * until then): waits for exactly that, read from the database.
 */
export async function waitUntilLeaseExpired(databasePath: string, ttlSeconds = CHILD_LEASE_TTL_SECONDS): Promise<void> {
  await waitFor(
    async () => {
      const [lease] = await queryDb<{ holder: string | null; heartbeatAt: string | null }>(databasePath, "SELECT holder, heartbeatAt FROM lease WHERE name = 'writer'");
      if (!lease?.holder) return;
      expect(Date.now() - Date.parse(lease.heartbeatAt as string)).toBeGreaterThan(ttlSeconds * 1000);
    },
    ttlSeconds * 1000 + 10_000,
    100,
  );
}

/** Both simulators over real HTTP (instrumented), for a connector running in a child process. */
/** Waits until the child has read the perk catalogue (loyalty ACTIVE) and finished its first seed. */
export async function waitUntilSeeded(child: ChildConnector, expectedLinks?: Record<string, number>): Promise<void> {
  await waitFor(
    async () => {
      const { body } = await child.admin.get('/admin/status').expect(200);
      expect(body.loyalty.state).toBe('ACTIVE');
      expect(body.jobs['users-seed']).toMatchObject({ state: 'DONE' });
      if (expectedLinks) expect(body.totals.links).toEqual(expectedLinks);
    },
    30_000,
    100,
  );
}

export interface ChildSetup {
  pepper: PepperSimulator;
  crm: CrmComSimulator;
  servers: RunningServer[];
  databasePath: string;
  /** the environment for spawnConnector */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startSimulatorsForChild(options: {
  crm?: Partial<CrmComSimulatorOptions>;
  seed?: (pepper: PepperSimulator, crm: CrmComSimulator) => void;
  env?: Record<string, string>;
  /** run the children on a Postgres schema of their own even without TEST_DATABASE=postgres */
  postgres?: boolean;
}): Promise<ChildSetup> {
  const pepper = new PepperSimulator({ authToken: PEPPER_TOKEN, applicationId: APP_ID });
  const crm = new CrmComSimulator({ apiKey: CRM_API_KEY, ...options.crm });
  instrumentPepper(pepper);
  instrumentCrm(crm);
  pepper.addPerk({ id: WALLET_PERK, title: 'Wallet', template: 'PSEUDO_CURRENCY' });
  options.seed?.(pepper, crm);
  const servers = [await pepper.start(0), await crm.start(0)];
  const databasePath = join(mkdtempSync(join(tmpdir(), 'connector-child-db-')), 'connector.sqlite');
  // TEST_DATABASE=postgres (or postgres: true): the children share one schema of their own, dropped on close.
  const schema = options.postgres || onPostgres ? await createTestSchema('child') : null;
  if (schema) registerPostgresPath(databasePath, schema.url);
  const env: Record<string, string> = {
    PEPPER_API_URL: servers[0].url,
    PEPPER_AUTH_TOKEN: PEPPER_TOKEN,
    PEPPER_APPLICATION_ID: APP_ID,
    CRMCOM_API_URL: servers[1].url,
    CRMCOM_API_KEY: CRM_API_KEY,
    ADMIN_API_TOKEN: ADMIN_TOKEN,
    DATABASE_PATH: databasePath,
    SCHEDULER_ENABLED: 'true',
    PEPPER_POLL_INTERVAL_SECONDS: '1',
    CRMCOM_POLL_INTERVAL_SECONDS: '1',
    HTTP_TIMEOUT_MS: '2000',
    // A write in doubt after a SIGKILL is settled by the real clock here: keep the wait short.
    WRITE_SETTLE_SECONDS: '3',
    HTTP_BACKOFF_BASE_MS: '5',
    HTTP_BACKOFF_MAX_MS: '50',
    LOG_LEVEL: 'info',
    // tests poll the admin API hard; the rate limit has its own spec
    ADMIN_RATE_LIMIT_PER_MINUTE: '1000000',
    OPS_COUNTS_SECONDS: '0',
    PEPPER_MAX_RPS: '10000',
    CRMCOM_MAX_RPS: '10000',
    LEASE_TTL_SECONDS: String(CHILD_LEASE_TTL_SECONDS),
    ...(schema ? { DATABASE_URL: schema.url } : {}),
    ...LOYALTY_ENV,
    ...options.env,
  };
  return {
    pepper,
    crm,
    servers,
    databasePath,
    env,
    async close() {
      pepper.faults.clear();
      crm.faults.clear();
      for (const server of servers) await server.close();
      await schema?.drop();
    },
  };
}

/** What checkInvariants needs, for a connector in a child process. */
export function invariantTarget(setup: ChildSetup, child: ChildConnector): InvariantTarget {
  return {
    pepper: setup.pepper,
    crm: setup.crm,
    config: { databasePath: setup.databasePath, pepper: { applicationId: APP_ID }, crmcom: { currency: 'EUR' } },
    admin: child.admin,
  };
}
