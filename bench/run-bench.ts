/**
 * `npm run bench` — the users seed against the bare-client floor, then the connector's latencies and throughput
 * (issue 9). Not a test: it prints a table and writes bench/results/<timestamp>.json and .md.
 *
 *   npm run bench -- --users 1000,10000 [--latency 20] [--concurrency 4] [--env NAME=value]... [--no-build] [--settle 10]
 *                    [--orders 200] [--journals 100] [--stream 20] [--latency-timeout 120] [--window 10000]
 *                    [--window-timeout 900] [--seed-timeout S]
 *
 * For each size: both simulators answer every call after `--latency` ms (a delay fault on every route), N Pepper users
 * are seeded (mostly new; some matching an existing contact by email, some by phone; some with Pepper points, the
 * matched contacts with wallet money), the connector runs as a real child process (compiled, `node dist/main.js`,
 * with its own defaults but for the poll settings below and what `--env` gives) until its users seed is DONE (polled
 * on /admin/status), and a bare client makes only the floor's calls (the Pepper user pages and one POST /contacts per
 * new user, at `--concurrency`) against a fresh, identical pair. Calls are counted on the simulators, and put down to
 * the kind of user they concern; peak RSS is the child's VmHWM. After the seed (and `--settle` seconds), a steady stream
 * of orders and CRM.COM journals measures order→purchase and journal→Pepper latencies, and a window of `--window`
 * actions injected at once measures throughput (see live-load.ts).
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import axios from 'axios';
import { CrmComSimulator } from '../packages/simulators/src/crmcom';
import { PepperSimulator } from '../packages/simulators/src/pepper/pepper-simulator';
import type { RunningServer } from '../packages/simulators/src/shared/listen';
import { attribute, Attributor } from './attribution';
import { measureLatencies, measureWindow, type LatencyResult, type LiveContext, type WindowResult } from './live-load';
import { emailOf, kindOf, populationOf, seedPopulation, userId, WALLET_PERK, type Population } from './population';
import { markdown, total, type BalanceCheck, type MemorySample, type PhaseCalls, type ReportHeader, type RouteCounts, type SizeResult } from './report';

const REPO = resolve(__dirname, '..');
const APP_ID = 'bench-merchant';
const PEPPER_TOKEN = 'bench-pepper-token';
const CRM_API_KEY = 'bench-crm-api-key';
const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';

/**
 * What the bench sets in the connector's environment besides the connections (`--env` overrides it): short polls, so
 * the latencies are those of a live deployment in seconds, not minutes; the order→purchase bound is "interval + lag + 2 s".
 */
const BENCH_ENV: Record<string, string> = {
  PEPPER_POLL_INTERVAL_SECONDS: '5',
  CRMCOM_POLL_INTERVAL_SECONDS: '5',
  PEPPER_POLL_LAG_SECONDS: '2',
};

interface Options {
  users: number[];
  latencyMs: number;
  /** the floor's concurrency; the connector keeps its own unless `--env SYNC_CONCURRENCY=…` */
  concurrency: number;
  build: boolean;
  settleSeconds: number;
  env: Record<string, string>;
  orders: number;
  journals: number;
  streamSeconds: number;
  latencyTimeoutSeconds: number;
  window: number;
  windowTimeoutSeconds: number;
  /** null: 600 s + 1 s per user */
  seedTimeoutSeconds: number | null;
  /** write V8 heap snapshots of the connector at 10 % of the seed and at its end (bench/results/heap/) */
  heapSnapshots: boolean;
  /** keep the connector's directory (its SQLite database) for a look afterwards; its path is printed */
  keepDatabase: boolean;
  /** extra Node.js flags for the connector's process, e.g. --cpu-prof (not allowed in NODE_OPTIONS) */
  nodeArgs: string[];
}

const USAGE =
  'use --users 1000,10000 --latency 20 --concurrency 4 --env NAME=value --no-build --settle 10 --orders 200 --journals 100 ' +
  '--stream 20 --latency-timeout 120 --window 10000 --window-timeout 900 --seed-timeout S --heap-snapshots --keep-db --node-arg FLAG';

function parseArgs(argv: string[]): Options {
  const options: Options = {
    users: [1000],
    latencyMs: 20,
    concurrency: 4,
    build: true,
    settleSeconds: 10,
    env: {},
    orders: 200,
    journals: 100,
    streamSeconds: 20,
    latencyTimeoutSeconds: 120,
    window: 10_000,
    windowTimeoutSeconds: 900,
    seedTimeoutSeconds: null,
    heapSnapshots: false,
    keepDatabase: false,
    nodeArgs: [],
  };
  const numbers: Record<string, keyof Options> = {
    '--latency': 'latencyMs',
    '--concurrency': 'concurrency',
    '--settle': 'settleSeconds',
    '--orders': 'orders',
    '--journals': 'journals',
    '--stream': 'streamSeconds',
    '--latency-timeout': 'latencyTimeoutSeconds',
    '--window': 'window',
    '--window-timeout': 'windowTimeoutSeconds',
    '--seed-timeout': 'seedTimeoutSeconds',
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value (${USAGE})`);
      return v;
    };
    if (flag in numbers) {
      const n = Number(value());
      if (!Number.isFinite(n) || n < 0) throw new Error(`${flag} takes a number ≥ 0`);
      (options as unknown as Record<string, number>)[numbers[flag]] = n;
      continue;
    }
    switch (flag) {
      case '--users':
        options.users = value().split(',').map((n) => Number(n.trim()));
        break;
      case '--no-build':
        options.build = false;
        break;
      case '--heap-snapshots':
        options.heapSnapshots = true;
        break;
      case '--keep-db':
        options.keepDatabase = true;
        break;
      case '--node-arg':
        options.nodeArgs.push(value());
        break;
      case '--env': {
        // --env NAME=value (repeatable): the connector's environment, over the bench's
        const [name, ...rest] = value().split('=');
        if (!/^[A-Z_][A-Z0-9_]*$/.test(name) || rest.length === 0) throw new Error(`--env takes NAME=value, got ${name}`);
        options.env[name] = rest.join('=');
        break;
      }
      default:
        throw new Error(`unknown option ${argv[i]} (${USAGE})`);
    }
  }
  if (options.users.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error('--users takes positive integers, e.g. 1000,10000');
  if (options.concurrency < 1) throw new Error('--concurrency takes a positive integer');
  return options;
}

// ---------------------------------------------------------------- clean-up, also on Ctrl-C

/** Synchronous clean-ups of what is running now (child processes, temp dirs): run on exit and on a signal. */
const cleanups = new Set<() => void>();
function cleanUpNow(): void {
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      // best effort
    }
  }
  cleanups.clear();
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping the connector and removing its temp dir\n`);
    cleanUpNow();
    process.exit(130);
  });
}
process.once('exit', cleanUpNow);

// ---------------------------------------------------------------- the simulators

interface Simulators {
  pepper: PepperSimulator;
  crm: CrmComSimulator;
  servers: RunningServer[];
  population: Population;
  close(): Promise<void>;
}

async function startSimulators(n: number, latencyMs: number): Promise<Simulators> {
  const pepper = new PepperSimulator({ authToken: PEPPER_TOKEN, applicationId: APP_ID });
  const crm = new CrmComSimulator({ apiKey: CRM_API_KEY });
  const population = seedPopulation(pepper, crm, n);
  if (latencyMs > 0) {
    pepper.faults.add({ fault: { kind: 'delay', ms: latencyMs } });
    crm.faults.add({ fault: { kind: 'delay', ms: latencyMs } });
  }
  const servers = [await pepper.start(0), await crm.start(0)];
  return {
    pepper,
    crm,
    servers,
    population,
    async close() {
      pepper.faults.clear();
      crm.faults.clear();
      for (const server of servers) await server.close();
    },
  };
}

// ---------------------------------------------------------------- counting

/** A path as a route: segments that look like ids (a digit, or long) become `:id`. */
const routeOf = (path: string): string =>
  path
    .split('/')
    .map((segment) => (/\d/.test(segment) || segment.length > 24 ? ':id' : segment))
    .join('/');

function countRoutes(requests: ReadonlyArray<{ method: string; path: string }>, from = 0, to = requests.length): RouteCounts {
  const counts: RouteCounts = {};
  for (const r of requests.slice(from, to)) {
    const key = `${r.method} ${routeOf(r.path)}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

// ---------------------------------------------------------------- the floor

async function forEachBounded<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Only the unavoidable calls: the Pepper user pages, and one POST /contacts per new user, at `--concurrency`. */
async function runFloor(n: number, options: Options): Promise<{ seconds: number; pepper: RouteCounts; crm: RouteCounts }> {
  const sims = await startSimulators(n, options.latencyMs);
  try {
    const pepperHttp = axios.create({
      baseURL: sims.servers[0].url,
      headers: { Authorization: `Token ${PEPPER_TOKEN}`, 'x-application-id': APP_ID, 'x-api-version': '12' },
      timeout: 30_000,
    });
    const crmHttp = axios.create({ baseURL: sims.servers[1].url, headers: { api_key: CRM_API_KEY }, timeout: 30_000 });
    const started = process.hrtime.bigint();
    let startKey: string | undefined;
    for (;;) {
      const { data } = await pepperHttp.get<{ items: Array<{ id: string; firstName?: string; lastName?: string }>; page: { nextKey?: string } }>(
        '/users',
        { params: { include: 'credentials', limit: 100, ...(startKey ? { startKey } : {}) } },
      );
      const fresh = data.items.filter((u) => kindOf(Number(u.id.slice(3))) === 'new');
      await forEachBounded(fresh, options.concurrency, async (u) => {
        await crmHttp.post('/contacts', {
          contact_type: 'PERSON',
          code: u.id,
          first_name: u.firstName ?? '',
          last_name: u.lastName ?? '',
          email: emailOf(Number(u.id.slice(3))),
        });
      });
      startKey = data.page.nextKey;
      if (!startKey) break;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { seconds, pepper: countRoutes(sims.pepper.requests), crm: countRoutes(sims.crm.requests) };
  } finally {
    await sims.close();
  }
}

// ---------------------------------------------------------------- the connector

function freePort(): Promise<number> {
  return new Promise((done, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

function peakRssMiB(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+)\s+kB/.exec(status);
    return match ? Math.round(Number(match[1]) / 1024) : null;
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) the process has used so far; null off Linux. */
function cpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    // the fields after the command's closing parenthesis: utime and stime are the 12th and 13th (clock ticks, 100 a second)
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The connector's environment: connections, then the bench's poll settings, then `--env`. */
function connectorEnv(options: Options): Record<string, string> {
  return { ...BENCH_ENV, ...options.env };
}

type Run = { state: string; startedAt: string; finishedAt: string | null; counts: Record<string, number> };

interface ConnectorResult {
  seedSeconds: number;
  seedCounts: Record<string, number>;
  pepper: RouteCounts;
  crm: RouteCounts;
  pepperSettled: RouteCounts;
  crmSettled: RouteCounts;
  peakRssMiB: { seed: number | null; run: number | null };
  seedCpuSeconds: number | null;
  memory: MemorySample[];
  heapSnapshots: string[];
  balances: BalanceCheck;
  byKind: SizeResult['byKind'];
  phases: SizeResult['phases'];
  latencies: LatencyResult | null;
  window: WindowResult | null;
  statusAtEnd: unknown;
}

async function runConnector(n: number, options: Options): Promise<ConnectorResult> {
  const sims = await startSimulators(n, options.latencyMs);
  const dir = mkdtempSync(join(tmpdir(), 'connector-bench-'));
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  if (options.keepDatabase) process.stdout.write(`  the connector's directory (kept): ${dir}\n`);
  else cleanups.add(removeDir);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    NO_COLOR: '1',
    PEPPER_API_URL: sims.servers[0].url,
    PEPPER_AUTH_TOKEN: PEPPER_TOKEN,
    PEPPER_APPLICATION_ID: APP_ID,
    CRMCOM_API_URL: sims.servers[1].url,
    CRMCOM_API_KEY: CRM_API_KEY,
    ADMIN_API_TOKEN: ADMIN_TOKEN,
    DATABASE_PATH: join(dir, 'connector.sqlite'),
    LOG_LEVEL: 'warn',
    ...connectorEnv(options),
    PORT: String(port),
  };
  // Node's flags as `npm start` gives them (the heap limits), then the bench's own.
  const startFlags = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start
    .split(/\s+/)
    .filter((arg) => arg.startsWith('--'));
  const nodeArgs = [...startFlags, ...options.nodeArgs, ...(options.heapSnapshots ? ['--heapsnapshot-signal=SIGWINCH'] : [])];
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, join(REPO, 'dist/main.js')], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const killChild = (): void => {
    if (!exited) child.kill('SIGKILL');
  };
  cleanups.add(killChild);
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  let exitCode: string = '';
  const exit = new Promise<void>((done) =>
    child.once('exit', (code, signal) => {
      exited = true;
      exitCode = signal ?? String(code);
      done();
    }),
  );
  const ensureAlive = (): void => {
    if (exited) throw new Error(`the connector exited (${exitCode}):\n${tail}`);
  };
  const admin = axios.create({ baseURL: url, headers: { Authorization: `Bearer ${ADMIN_TOKEN}` }, validateStatus: () => true, timeout: 5000 });
  const log = (line: string): void => void process.stdout.write(`${line}\n`);
  try {
    // ---- the seed, bounded
    const seedTimeoutMs = (options.seedTimeoutSeconds ?? 600 + n) * 1000;
    const seedDeadline = Date.now() + seedTimeoutMs;
    let seed: Run | null = null;
    // the connector's CPU from when its seed was first seen running to DONE: what a user costs it, whatever the wall clock
    let cpuAtSeedStart: number | null | undefined;
    let lastPrint = 0;
    const memory: MemorySample[] = [];
    let lastSample = 0;
    let snapshotAtTenth = !options.heapSnapshots;
    for (;;) {
      if (exited) throw new Error(`the connector exited (${exitCode}) before its seed finished:\n${tail}`);
      if (Date.now() > seedDeadline) throw new Error(`the users seed was not DONE within ${seedTimeoutMs / 1000} s (--seed-timeout)`);
      // /admin/status counts whole tables: at 100,000 users a poll every half second cost the connector a share of its CPU.
      await sleep(n >= 50_000 ? 3000 : 500);
      let body: { jobs?: Record<string, Run | null> } | null = null;
      try {
        body = (await admin.get('/admin/status')).data as { jobs?: Record<string, Run | null> };
      } catch {
        continue; // not listening yet
      }
      seed = body?.jobs?.['users-seed'] ?? null;
      if (seed && cpuAtSeedStart === undefined) cpuAtSeedStart = cpuSeconds(child.pid);
      if (seed && Date.now() - lastSample > (n >= 50_000 ? 10_000 : 2_000)) {
        lastSample = Date.now();
        const sample = await sampleMemory(admin, seed.counts.users ?? 0);
        if (sample) memory.push(sample);
      }
      if (seed && !snapshotAtTenth && (seed.counts.users ?? 0) >= n / 10) {
        snapshotAtTenth = true;
        child.kill('SIGWINCH');
      }
      if (seed && Date.now() - lastPrint > 10_000) {
        lastPrint = Date.now();
        log(`  connector: ${seed.counts.users ?? 0}/${n} users, ${seed.state}`);
      }
      if (seed && seed.state !== 'RUNNING') break;
    }
    if (seed.state !== 'DONE') throw new Error(`the users seed ended ${seed.state}:\n${tail}`);
    const cpuAtDone = cpuSeconds(child.pid);
    const atDone = await sampleMemory(admin, seed.counts.users ?? n);
    if (atDone) memory.push(atDone);
    if (options.heapSnapshots) child.kill('SIGWINCH');
    const atSeed = { crm: sims.crm.requests.length, pepper: sims.pepper.requests.length };
    // What the seed set in motion (opening balances, the first polls) runs on after it: counted separately.
    await sleep(options.settleSeconds * 1000);
    ensureAlive();
    const atSettle = { crm: sims.crm.requests.length, pepper: sims.pepper.requests.length };
    const rssSeed = peakRssMiB(child.pid);

    // ---- calls by kind of user: the contacts, wallets and awards as they are now name the users
    const attributor = new Attributor(n, sims.crm, sims.pepper);
    const byKind = {
      seed: attribute(attributor, sims.crm.requests, sims.pepper.requests, { crm: [0, atSeed.crm], pepper: [0, atSeed.pepper] }),
      settled: attribute(attributor, sims.crm.requests, sims.pepper.requests, { crm: [0, atSettle.crm], pepper: [0, atSettle.pepper] }),
    };

    const ctx: LiveContext = {
      pepper: sims.pepper,
      crm: sims.crm,
      linked: attributor.linkedContacts(),
      pointsPerUnit: Number(env.POINTS_PER_CURRENCY_UNIT ?? 100),
      ensureAlive,
      log,
    };
    const phaseSince = (from: { crm: number; pepper: number }, startedMs: number, units: number): PhaseCalls => ({
      seconds: (performance.now() - startedMs) / 1000,
      crm: countRoutes(sims.crm.requests, from.crm),
      pepper: countRoutes(sims.pepper.requests, from.pepper),
      units,
    });
    const mark = (): { crm: number; pepper: number } => ({ crm: sims.crm.requests.length, pepper: sims.pepper.requests.length });

    // ---- latencies after the seed
    let latencies: LatencyResult | null = null;
    let latencyPhase: PhaseCalls | null = null;
    if (options.orders > 0 || options.journals > 0) {
      log(`  latencies: ${options.orders} orders and ${options.journals} journals over ${options.streamSeconds} s (${ctx.linked.length} linked users)`);
      const from = mark();
      const started = performance.now();
      latencies = await measureLatencies(ctx, {
        orders: options.orders,
        journals: options.journals,
        streamSeconds: options.streamSeconds,
        timeoutSeconds: options.latencyTimeoutSeconds,
      });
      latencyPhase = phaseSince(from, started, latencies.orderToPurchase.sent + latencies.journalToPepper.sent);
      const o = latencies.orderToPurchase;
      const j = latencies.journalToPepper;
      log(
        `  order→purchase p50 ${o.p50?.toFixed(1) ?? '–'} s, p95 ${o.p95?.toFixed(1) ?? '–'} s (${o.missing} late); ` +
          `journal→Pepper p50 ${j.p50?.toFixed(1) ?? '–'} s, p95 ${j.p95?.toFixed(1) ?? '–'} s (${j.missing} late)`,
      );
    }

    // ---- the window
    let window: WindowResult | null = null;
    let windowPhase: PhaseCalls | null = null;
    if (options.window > 0) {
      const from = mark();
      const started = performance.now();
      window = await measureWindow(ctx, { actions: options.window, timeoutSeconds: options.windowTimeoutSeconds });
      windowPhase = phaseSince(from, started, window.orders + window.redemptions + window.profileChanges);
      log(`  window: ${window.processed}/${window.actions} in ${window.seconds.toFixed(1)} s = ${window.actionsPerSecond.toFixed(1)} actions/s`);
    }

    ensureAlive();
    const balances = await compareBalances(admin, sims, attributor, ctx.pointsPerUnit, log);
    let statusAtEnd: unknown = null;
    try {
      const answer = await admin.get('/admin/status');
      statusAtEnd = answer.status === 200 ? answer.data : { httpStatus: answer.status };
    } catch (error) {
      statusAtEnd = { error: error instanceof Error ? error.message : String(error) };
    }
    return {
      seedSeconds: (Date.parse(seed.finishedAt as string) - Date.parse(seed.startedAt)) / 1000,
      seedCounts: seed.counts,
      pepper: countRoutes(sims.pepper.requests, 0, atSeed.pepper),
      crm: countRoutes(sims.crm.requests, 0, atSeed.crm),
      pepperSettled: countRoutes(sims.pepper.requests, 0, atSettle.pepper),
      crmSettled: countRoutes(sims.crm.requests, 0, atSettle.crm),
      peakRssMiB: { seed: rssSeed, run: peakRssMiB(child.pid) },
      seedCpuSeconds: cpuAtDone !== null && typeof cpuAtSeedStart === 'number' ? cpuAtDone - cpuAtSeedStart : null,
      byKind,
      phases: { latencies: latencyPhase, window: windowPhase },
      latencies,
      window,
      statusAtEnd,
      balances,
      memory,
      heapSnapshots: keepHeapSnapshots(dir, n),
    };
  } finally {
    if (!exited) child.kill('SIGTERM');
    await Promise.race([exit, sleep(10_000)]);
    if (!exited) child.kill('SIGKILL');
    await Promise.race([exit, sleep(5_000)]);
    cleanups.delete(killChild);
    await sims.close();
    if (!options.keepDatabase) removeDir();
    cleanups.delete(removeDir);
  }
}

/**
 * Exactly once, checked at the end: once the connector's queues are empty (bounded wait), every linked user's Pepper
 * wallet award equals their CRM.COM wallet in points. Speed that moved money twice, or lost a movement, shows here.
 */
async function compareBalances(
  admin: ReturnType<typeof axios.create>,
  sims: Simulators,
  attributor: Attributor,
  pointsPerUnit: number,
  log: (line: string) => void,
): Promise<BalanceCheck> {
  const deadline = Date.now() + 180_000;
  let queued = -1;
  while (Date.now() < deadline) {
    try {
      const events = ((await admin.get('/admin/status')).data as { totals?: { events?: Record<string, number> } }).totals?.events ?? {};
      queued = (events.PENDING ?? 0) + (events.WAITING_LINK ?? 0);
    } catch {
      queued = -1;
    }
    if (queued === 0) break;
    await sleep(1000);
  }
  const points = new Map<string, number>();
  for (const award of sims.pepper.awards()) if (award.perkId === WALLET_PERK) points.set(award.userId, award.points.available);
  const mismatched: Array<{ user: string; pepper: number; wallet: number }> = [];
  const linked = attributor.linkedContacts();
  for (const { i, contactId } of linked) {
    const wallet = Math.trunc((sims.crm.walletBalanceMinor(contactId) * pointsPerUnit) / 100);
    const pepper = points.get(userId(i)) ?? 0;
    if (pepper !== wallet) mismatched.push({ user: userId(i), pepper, wallet });
  }
  log(`  balances: ${linked.length - mismatched.length} of ${linked.length} linked users' Pepper balance = wallet (queue ${queued === 0 ? 'empty' : `not empty: ${queued}`})`);
  return { linked: linked.length, equal: linked.length - mismatched.length, queuedAtCheck: queued, mismatched: mismatched.slice(0, 20) };
}

/** The connector's heap and RSS now, from its Prometheus metrics (the default Node.js ones), beside the users seeded. */
async function sampleMemory(admin: ReturnType<typeof axios.create>, users: number): Promise<MemorySample | null> {
  try {
    const answer = await admin.get('/metrics', { responseType: 'text' });
    if (answer.status !== 200) return null;
    const text = String(answer.data);
    const value = (name: string): number | null => {
      const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'm').exec(text);
      return match ? Math.round((Number(match[1]) / 1048576) * 10) / 10 : null;
    };
    return {
      users,
      rssMiB: value('connector_process_resident_memory_bytes'),
      heapUsedMiB: value('connector_nodejs_heap_size_used_bytes'),
      externalMiB: value('connector_nodejs_external_memory_bytes'),
    };
  } catch {
    return null;
  }
}

/** Heap snapshots the child wrote in its directory (SIGWINCH), copied to bench/results/heap/ before it is removed. */
function keepHeapSnapshots(dir: string, n: number): string[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.heapsnapshot')).sort();
  if (files.length === 0) return [];
  const out = join(REPO, 'bench/results/heap');
  mkdirSync(out, { recursive: true });
  return files.map((file, i) => {
    const target = join(out, `${n}-users-${i === 0 ? 'at-10pct' : 'at-end'}-${file}`);
    copyFileSync(join(dir, file), target);
    return target;
  });
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const began = performance.now();
  if (options.build) {
    process.stdout.write('building the connector (tsc -p tsconfig.build.json)…\n');
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(REPO, 'tsconfig.build.json')], { cwd: REPO, stdio: 'inherit' });
  }
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO }).toString().trim();
  } catch {
    // not a git checkout
  }
  const effective = connectorEnv(options);
  const orderBoundSeconds = Number(effective.PEPPER_POLL_INTERVAL_SECONDS) + Number(effective.PEPPER_POLL_LAG_SECONDS) + 2;
  const header: ReportHeader = {
    commit,
    latencyMs: options.latencyMs,
    floorConcurrency: options.concurrency,
    overrides: options.env,
    nodeArgs: options.nodeArgs,
    benchEnv: Object.fromEntries(Object.keys(BENCH_ENV).map((k) => [k, effective[k]])),
    orderBoundSeconds,
    settleSeconds: options.settleSeconds,
    orders: options.orders,
    journals: options.journals,
    streamSeconds: options.streamSeconds,
    latencyTimeoutSeconds: options.latencyTimeoutSeconds,
    window: options.window,
    windowTimeoutSeconds: options.windowTimeoutSeconds,
  };
  const overridden = [...Object.entries(options.env).map(([k, v]) => `${k}=${v}`), ...options.nodeArgs].join(' ') || 'none';
  const results: SizeResult[] = [];
  for (const n of options.users) {
    process.stdout.write(`\n${n} users, ${options.latencyMs} ms per call, floor concurrency ${options.concurrency}, connector overrides: ${overridden}\n`);
    const floor = await runFloor(n, options);
    process.stdout.write(`  floor: ${floor.seconds.toFixed(1)} s\n`);
    const mine = await runConnector(n, options);
    const cpuMsPerUser = mine.seedCpuSeconds === null ? null : (mine.seedCpuSeconds * 1000) / n;
    process.stdout.write(
      `  connector seed: ${mine.seedSeconds.toFixed(1)} s (${(mine.seedSeconds / floor.seconds).toFixed(2)} × floor)` +
        (cpuMsPerUser === null ? '\n' : `, its CPU ${cpuMsPerUser.toFixed(2)} ms per user\n`),
    );
    results.push({
      users: n,
      population: populationOf(n),
      floorSeconds: floor.seconds,
      seedSeconds: mine.seedSeconds,
      ratio: mine.seedSeconds / floor.seconds,
      peakRssMiB: mine.peakRssMiB,
      seedCpuMsPerUser: cpuMsPerUser,
      seedCounts: mine.seedCounts,
      perUser: {
        pepper: total(mine.pepper) / n,
        crm: total(mine.crm) / n,
        pepperSettled: total(mine.pepperSettled) / n,
        crmSettled: total(mine.crmSettled) / n,
        floorPepper: total(floor.pepper) / n,
        floorCrm: total(floor.crm) / n,
      },
      routes: {
        pepper: mine.pepper,
        crm: mine.crm,
        pepperSettled: mine.pepperSettled,
        crmSettled: mine.crmSettled,
        floorPepper: floor.pepper,
        floorCrm: floor.crm,
      },
      byKind: mine.byKind,
      phases: mine.phases,
      latencies: mine.latencies,
      window: mine.window,
      statusAtEnd: mine.statusAtEnd,
      memory: mine.memory,
      heapSnapshots: mine.heapSnapshots,
      balances: mine.balances,
    });
  }
  const table = markdown(results, header);
  const outDir = join(REPO, 'bench/results');
  mkdirSync(outDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const benchSeconds = (performance.now() - began) / 1000;
  writeFileSync(join(outDir, `${stamp}.json`), JSON.stringify({ commit, options, header, benchSeconds, results }, null, 2));
  writeFileSync(join(outDir, `${stamp}.md`), `${table}\n`);
  process.stdout.write(`\n${table}\n\nwritten: bench/results/${stamp}.json and .md (the bench took ${benchSeconds.toFixed(0)} s)\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  cleanUpNow();
  process.exit(1);
});
