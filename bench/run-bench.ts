/**
 * `npm run bench` — the users seed against the bare-client floor (issue 9). Not a test: it prints a table and writes
 * bench/results/<timestamp>.json and .md.
 *
 *   npm run bench -- --users 1000,10000 [--latency 20] [--concurrency 4] [--no-build] [--settle 10]
 *
 * For each size: both simulators answer every call after `--latency` ms (a delay fault on every route), N Pepper users
 * are seeded (mostly new; some matching an existing contact by email, some by phone; some with Pepper points, the
 * matched contacts with wallet money), the connector runs as a real child process (compiled, `node dist/main.js`)
 * until its users seed is DONE (polled on /admin/status), and a bare client makes only the floor's calls (the Pepper
 * user pages and one POST /contacts per new user, at the same concurrency) against a fresh, identical pair.
 * Calls are counted on the simulators; peak RSS is the child's VmHWM.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import axios from 'axios';
import { CrmComSimulator } from '../packages/simulators/src/crmcom';
import { PepperSimulator } from '../packages/simulators/src/pepper/pepper-simulator';
import type { RunningServer } from '../packages/simulators/src/shared/listen';

const REPO = resolve(__dirname, '..');
const APP_ID = 'bench-merchant';
const PEPPER_TOKEN = 'bench-pepper-token';
const CRM_API_KEY = 'bench-crm-api-key';
const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';
const WALLET_PERK = 'perk-wallet';

interface Options {
  users: number[];
  latencyMs: number;
  concurrency: number;
  build: boolean;
  settleSeconds: number;
  env: Record<string, string>;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { users: [1000], latencyMs: 20, concurrency: 4, build: true, settleSeconds: 10, env: {} };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = (): string => inline ?? argv[++i];
    switch (flag) {
      case '--users':
        options.users = value().split(',').map((n) => Number(n.trim()));
        break;
      case '--latency':
        options.latencyMs = Number(value());
        break;
      case '--concurrency':
        options.concurrency = Number(value());
        break;
      case '--settle':
        options.settleSeconds = Number(value());
        break;
      case '--no-build':
        options.build = false;
        break;
      case '--env': {
        // --env NAME=value (repeatable): extra environment for the connector
        const [name, ...rest] = value().split('=');
        options.env[name] = rest.join('=');
        break;
      }
      default:
        throw new Error(`unknown option ${argv[i]} (use --users 1000,10000 --latency 20 --concurrency 4 --no-build --settle 10 --env K=V)`);
    }
  }
  if (options.users.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error('--users takes positive integers, e.g. 1000,10000');
  return options;
}

// ---------------------------------------------------------------- the population

type Kind = 'new' | 'email-match' | 'phone-match';

interface Population {
  newUsers: number;
  emailMatches: number;
  phoneMatches: number;
  withPoints: number;
  otherContacts: number;
}

const userId = (i: number): string => `usr${String(i).padStart(7, '0')}`;
const phoneOf = (i: number): string => `+4479${String(i).padStart(8, '0')}`;
const kindOf = (i: number): Kind => (i % 100 < 82 ? 'new' : i % 100 < 91 ? 'email-match' : 'phone-match');

/** 82 % new, 9 % match a contact by email, 9 % by phone; every 5th user has Pepper points; matched contacts hold money. */
function seedPopulation(pepper: PepperSimulator, crm: CrmComSimulator, n: number): Population {
  const past = new Date(Date.now() - 24 * 3600 * 1000);
  const population: Population = { newUsers: 0, emailMatches: 0, phoneMatches: 0, withPoints: 0, otherContacts: 0 };
  pepper.addPerk({ id: WALLET_PERK, title: 'Wallet', template: 'PSEUDO_CURRENCY' });
  for (let i = 0; i < n; i++) {
    const id = userId(i);
    const email = `user${i}@bench.example`;
    const phone = phoneOf(i);
    pepper.addUser({ id, firstName: `First${i}`, lastName: `Last${i}`, email, phone }, { emitAction: false, at: past });
    const kind = kindOf(i);
    if (kind === 'new') population.newUsers++;
    if (kind === 'email-match') {
      crm.addContact({ firstName: `First${i}`, lastName: `Last${i}`, email, balance: `${(i % 7) + 1}.50`, postedAt: past });
      population.emailMatches++;
    }
    if (kind === 'phone-match') {
      crm.addContact({ firstName: `First${i}`, lastName: `Last${i}`, phone, balance: `${(i % 5) + 1}.00`, postedAt: past });
      population.phoneMatches++;
    }
    if (i % 5 === 0) {
      pepper.grantAward(id, WALLET_PERK, 100 + (i % 9) * 25, { at: past });
      population.withPoints++;
    }
  }
  // Contacts of the merchant's other customers (tills, other channels): they match no Pepper user.
  for (let j = 0; j < Math.ceil(n / 10); j++) {
    crm.addContact({ firstName: 'Till', lastName: `Customer${j}`, email: `till${j}@shop.example`, postedAt: past });
    population.otherContacts++;
  }
  return population;
}

interface Simulators {
  pepper: PepperSimulator;
  crm: CrmComSimulator;
  servers: RunningServer[];
  close(): Promise<void>;
}

async function startSimulators(n: number, latencyMs: number): Promise<Simulators & { population: Population }> {
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

type RouteCounts = Record<string, number>;

function countRoutes(requests: ReadonlyArray<{ method: string; path: string }>, from = 0): RouteCounts {
  const counts: RouteCounts = {};
  for (const r of requests.slice(from)) {
    const key = `${r.method} ${routeOf(r.path)}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

const total = (counts: RouteCounts): number => Object.values(counts).reduce((a, b) => a + b, 0);

// ---------------------------------------------------------------- the floor

async function forEachBounded<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Only the unavoidable calls: the Pepper user pages, and one POST /contacts per new user, at the same concurrency. */
async function runFloor(n: number, options: Options): Promise<{ seconds: number; pepper: RouteCounts; crm: RouteCounts }> {
  const sims = await startSimulators(n, options.latencyMs);
  try {
    const pepperHttp = axios.create({
      baseURL: sims.servers[0].url,
      headers: { Authorization: `Token ${PEPPER_TOKEN}`, 'x-application-id': APP_ID, 'x-api-version': '12' },
    });
    const crmHttp = axios.create({ baseURL: sims.servers[1].url, headers: { api_key: CRM_API_KEY } });
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
          email: `user${Number(u.id.slice(3))}@bench.example`,
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

function peakRssMiB(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+)\s+kB/.exec(status);
    return match ? Math.round(Number(match[1]) / 1024) : null;
  } catch {
    return null;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface ConnectorResult {
  seedSeconds: number;
  seedCounts: Record<string, number>;
  pepper: RouteCounts;
  crm: RouteCounts;
  pepperSettled: RouteCounts;
  crmSettled: RouteCounts;
  peakRssMiB: number | null;
}

async function runConnector(n: number, options: Options): Promise<ConnectorResult> {
  const sims = await startSimulators(n, options.latencyMs);
  const dir = mkdtempSync(join(tmpdir(), 'connector-bench-'));
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
    SYNC_CONCURRENCY: String(options.concurrency),
    PEPPER_POLL_INTERVAL_SECONDS: '5',
    CRMCOM_POLL_INTERVAL_SECONDS: '5',
    LOG_LEVEL: 'warn',
    ...options.env,
    PORT: String(port),
  };
  const child: ChildProcess = spawn(process.execPath, [join(REPO, 'dist/main.js')], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((done) => child.once('exit', () => ((exited = true), done())));
  const admin = axios.create({ baseURL: url, headers: { Authorization: `Bearer ${ADMIN_TOKEN}` }, validateStatus: () => true, timeout: 5000 });
  try {
    type Run = { state: string; startedAt: string; finishedAt: string | null; counts: Record<string, number> };
    let seed: Run | null = null;
    let lastPrint = 0;
    for (;;) {
      if (exited) throw new Error(`the connector exited before its seed finished:\n${tail}`);
      await sleep(500);
      let body: { jobs?: Record<string, Run | null> } | null = null;
      try {
        body = (await admin.get('/admin/status')).data as { jobs?: Record<string, Run | null> };
      } catch {
        continue; // not listening yet
      }
      seed = body?.jobs?.['users-seed'] ?? null;
      if (seed && Date.now() - lastPrint > 10_000) {
        lastPrint = Date.now();
        process.stdout.write(`  connector: ${seed.counts.users ?? 0}/${n} users, ${seed.state}\n`);
      }
      if (seed && seed.state !== 'RUNNING') break;
    }
    if (seed.state !== 'DONE') throw new Error(`the users seed ended ${seed.state}:\n${tail}`);
    const pepperAtSeed = countRoutes(sims.pepper.requests);
    const crmAtSeed = countRoutes(sims.crm.requests);
    // What the seed set in motion (opening balances, the first polls) runs on after it: counted separately.
    await sleep(options.settleSeconds * 1000);
    const rss = peakRssMiB(child.pid as number);
    return {
      seedSeconds: (Date.parse(seed.finishedAt as string) - Date.parse(seed.startedAt)) / 1000,
      seedCounts: seed.counts,
      pepper: pepperAtSeed,
      crm: crmAtSeed,
      pepperSettled: countRoutes(sims.pepper.requests),
      crmSettled: countRoutes(sims.crm.requests),
      peakRssMiB: rss,
    };
  } finally {
    if (!exited) child.kill('SIGTERM');
    await Promise.race([exit, sleep(10_000)]);
    if (!exited) child.kill('SIGKILL');
    await sims.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- report

interface SizeResult {
  users: number;
  population: Population;
  floorSeconds: number;
  seedSeconds: number;
  ratio: number;
  peakRssMiB: number | null;
  seedCounts: Record<string, number>;
  perUser: { pepper: number; crm: number; pepperSettled: number; crmSettled: number; floorPepper: number; floorCrm: number };
  routes: { pepper: RouteCounts; crm: RouteCounts; pepperSettled: RouteCounts; crmSettled: RouteCounts; floorPepper: RouteCounts; floorCrm: RouteCounts };
}

const fmt = (x: number, digits = 2): string => x.toFixed(digits);

function markdown(results: SizeResult[], options: Options, commit: string): string {
  const lines: string[] = [];
  lines.push(`Commit ${commit}; ${options.latencyMs} ms per simulator call; concurrency ${options.concurrency}; ${new Date().toISOString()}`);
  lines.push('');
  lines.push('| users | floor (s) | seed (s) | × floor | CRM.COM calls / user | Pepper calls / user | after settle: CRM.COM / Pepper | peak RSS (MiB) |');
  lines.push('|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    lines.push(
      `| ${r.users} | ${fmt(r.floorSeconds, 1)} | ${fmt(r.seedSeconds, 1)} | ${fmt(r.ratio)} | ${fmt(r.perUser.crm)} | ${fmt(r.perUser.pepper, 3)} | ` +
        `${fmt(r.perUser.crmSettled)} / ${fmt(r.perUser.pepperSettled, 3)} | ${r.peakRssMiB ?? 'n/a'} |`,
    );
  }
  for (const r of results) {
    lines.push('');
    lines.push(
      `Calls per user by route, ${r.users} users (${r.population.newUsers} new, ${r.population.emailMatches} matched by email, ` +
        `${r.population.phoneMatches} by phone, ${r.population.withPoints} with Pepper points), counted on the simulators until the seed was DONE:`,
    );
    lines.push('');
    lines.push('| API | route | connector | floor |');
    lines.push('|---|---|---:|---:|');
    const rows = (api: string, mine: RouteCounts, floor: RouteCounts): void => {
      const keys = [...new Set([...Object.keys(mine), ...Object.keys(floor)])].sort((a, b) => (mine[b] ?? 0) - (mine[a] ?? 0));
      for (const key of keys) lines.push(`| ${api} | \`${key}\` | ${fmt((mine[key] ?? 0) / r.users, 3)} | ${fmt((floor[key] ?? 0) / r.users, 3)} |`);
    };
    rows('CRM.COM', r.routes.crm, r.routes.floorCrm);
    rows('Pepper', r.routes.pepper, r.routes.floorPepper);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
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
  const results: SizeResult[] = [];
  for (const n of options.users) {
    process.stdout.write(`\n${n} users, ${options.latencyMs} ms per call, concurrency ${options.concurrency}\n`);
    const floor = await runFloor(n, options);
    process.stdout.write(`  floor: ${fmt(floor.seconds, 1)} s\n`);
    const population = (() => {
      const p = new PepperSimulator({ authToken: PEPPER_TOKEN, applicationId: APP_ID });
      return seedPopulation(p, new CrmComSimulator({ apiKey: CRM_API_KEY }), n);
    })();
    const mine = await runConnector(n, options);
    process.stdout.write(`  connector seed: ${fmt(mine.seedSeconds, 1)} s (${fmt(mine.seedSeconds / floor.seconds)} × floor)\n`);
    results.push({
      users: n,
      population,
      floorSeconds: floor.seconds,
      seedSeconds: mine.seedSeconds,
      ratio: mine.seedSeconds / floor.seconds,
      peakRssMiB: mine.peakRssMiB,
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
    });
  }
  const table = markdown(results, options, commit);
  const outDir = join(REPO, 'bench/results');
  mkdirSync(outDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  writeFileSync(join(outDir, `${stamp}.json`), JSON.stringify({ commit, options, results }, null, 2));
  writeFileSync(join(outDir, `${stamp}.md`), `${table}\n`);
  process.stdout.write(`\n${table}\n\nwritten: bench/results/${stamp}.json and .md\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
