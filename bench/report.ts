/** The markdown of a bench run: one main table over every size, then per size the by-kind, phase and route tables. */
import type { Attribution, KindCalls } from './attribution';
import type { LatencyResult, LatencyStats, WindowResult } from './live-load';
import { KIND_LABELS, USER_KINDS, type Population, type UserKind } from './population';

export type RouteCounts = Record<string, number>;

export interface PhaseCalls {
  seconds: number;
  crm: RouteCounts;
  pepper: RouteCounts;
  /** the divisor for "per action" (users for the seed) */
  units: number;
}

export interface SizeResult {
  users: number;
  population: Population;
  floorSeconds: number;
  seedSeconds: number;
  ratio: number;
  peakRssMiB: { seed: number | null; run: number | null };
  /** the connector's CPU time (user + system) during the seed, per user: the seed's cost apart from the machine's speed */
  seedCpuMsPerUser?: number | null;
  seedCounts: Record<string, number>;
  perUser: { pepper: number; crm: number; pepperSettled: number; crmSettled: number; floorPepper: number; floorCrm: number };
  routes: { pepper: RouteCounts; crm: RouteCounts; pepperSettled: RouteCounts; crmSettled: RouteCounts; floorPepper: RouteCounts; floorCrm: RouteCounts };
  byKind: { seed: Attribution; settled: Attribution };
  phases: { latencies: PhaseCalls | null; window: PhaseCalls | null };
  latencies: LatencyResult | null;
  window: WindowResult | null;
  statusAtEnd: unknown;
  /** the connector's memory while it seeded (from its /metrics), by users seeded so far */
  memory: MemorySample[];
  heapSnapshots: string[];
  balances: BalanceCheck;
}

export interface BalanceCheck {
  linked: number;
  equal: number;
  /** events still queued when the balances were compared (0: the queues were empty) */
  queuedAtCheck: number;
  mismatched: Array<{ user: string; pepper: number; wallet: number }>;
}

export interface MemorySample {
  users: number;
  rssMiB: number | null;
  heapUsedMiB: number | null;
  externalMiB: number | null;
}

export interface ReportHeader {
  commit: string;
  latencyMs: number;
  floorConcurrency: number;
  overrides: Record<string, string>;
  /** the connector's Node flags beyond `npm start`'s (`--node-arg`): a profiled or instrumented run says so */
  nodeArgs: string[];
  benchEnv: Record<string, string>;
  orderBoundSeconds: number;
  settleSeconds: number;
  orders: number;
  journals: number;
  streamSeconds: number;
  latencyTimeoutSeconds: number;
  window: number;
  windowTimeoutSeconds: number;
}

const fmt = (x: number, digits = 2): string => x.toFixed(digits);
const seconds = (x: number | null): string => (x === null ? '–' : fmt(x, 1));
export const total = (counts: RouteCounts): number => Object.values(counts).reduce((a, b) => a + b, 0);

/**
 * Targets of issue 9 per user kind: CRM.COM and Pepper calls (null: none set). `openingCredit`: on top of the target,
 * the one CREDIT journal that carries a new user's Pepper points into the new wallet (README "Opening balances": a money
 * movement the design requires, not a lookup), shown as such in the report.
 */
const TARGETS: Record<UserKind, { crm: number; pepper: number | null; openingCredit?: boolean }> = {
  'new-with-points': { crm: 2, pepper: 0.05, openingCredit: true },
  'new-without-points': { crm: 2, pepper: 0.05 },
  'email-match': { crm: 1, pepper: null },
  'phone-match': { crm: 1, pepper: null },
};

function latencyCell(stats: LatencyStats | undefined): string {
  if (!stats || stats.sent === 0) return '–';
  const late = stats.missing > 0 ? ` (${stats.missing} of ${stats.sent} late)` : '';
  return `${seconds(stats.p50)} / ${seconds(stats.p95)}${late}`;
}

function windowCell(window: WindowResult | null): string {
  if (!window) return '–';
  const rate = fmt(window.actionsPerSecond, 1);
  return window.complete ? rate : `${rate} (incomplete: ${window.processed} of ${window.actions} in ${fmt(window.seconds, 0)} s)`;
}

const calls = (c: KindCalls, api: 'crm' | 'pepper'): number => c[api].reads + c[api].writes;

export function markdown(results: SizeResult[], h: ReportHeader): string {
  const lines: string[] = [];
  const overrides = Object.entries(h.overrides);
  lines.push(`Commit ${h.commit}; ${h.latencyMs} ms per simulator call; floor concurrency ${h.floorConcurrency}; ${new Date().toISOString()}`);
  lines.push('');
  lines.push(
    `Connector settings overridden (\`--env\`): ${overrides.length ? overrides.map(([k, v]) => `\`${k}=${v}\``).join(', ') : 'none'}` +
      ' (SYNC_CONCURRENCY, PEPPER_MAX_RPS and CRMCOM_MAX_RPS are the connector\'s defaults unless listed). ' +
      `Bench env: ${Object.entries(h.benchEnv).map(([k, v]) => `\`${k}=${v}\``).join(', ')}; ` +
      `so an order's purchase is due within poll interval + lag + 2 s = ${h.orderBoundSeconds} s.` +
      (h.nodeArgs.length ? ` Extra Node flags (\`--node-arg\`, so not a plain run): ${h.nodeArgs.map((a) => `\`${a}\``).join(' ')}.` : ''),
  );
  lines.push('');
  lines.push(
    `After the seed (+${h.settleSeconds} s): ${h.orders} orders and ${h.journals} CRM.COM journals at a steady rate over ${h.streamSeconds} s ` +
      `(arrival timeout ${h.latencyTimeoutSeconds} s after the last); then ${h.window ? `a ${h.window}-action window (85 % orders, 10 % redemptions, ` +
      `5 % profile changes, injected at once; timeout ${h.windowTimeoutSeconds} s)` : 'no window (--window 0)'}.`,
  );
  lines.push('');
  lines.push(
    '| users | floor (s) | seed (s) | × floor | connector CPU / user (ms) | CRM.COM calls / user | Pepper calls / user | peak RSS seed / run (MiB) | ' +
      `order→purchase p50 / p95 (s) | journal→Pepper p50 / p95 (s) | ${h.window || 'no'}-action window (actions/s) | Pepper = wallet at the end |`,
  );
  lines.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    lines.push(
      `| ${r.users} | ${fmt(r.floorSeconds, 1)} | ${fmt(r.seedSeconds, 1)} | ${fmt(r.ratio)} | ${r.seedCpuMsPerUser == null ? 'n/a' : fmt(r.seedCpuMsPerUser)} | ${fmt(r.perUser.crm)} | ${fmt(r.perUser.pepper, 3)} | ` +
        `${r.peakRssMiB.seed ?? 'n/a'} / ${r.peakRssMiB.run ?? 'n/a'} | ${latencyCell(r.latencies?.orderToPurchase)} | ` +
        `${latencyCell(r.latencies?.journalToPepper)} | ${windowCell(r.window)} | ${r.balances.equal} of ${r.balances.linked} |`,
    );
  }
  for (const r of results) {
    lines.push('');
    lines.push(`### ${r.users} users`);
    lines.push('');
    byKindTable(lines, r);
    lines.push('');
    phaseTable(lines, r);
    lines.push('');
    memoryLine(lines, r);
    lines.push('');
    lines.push(
      `Exactly once, at the end: ${r.balances.equal} of ${r.balances.linked} linked users' Pepper balance = CRM.COM wallet` +
        (r.balances.queuedAtCheck === 0 ? ' (queues empty).' : ` (${r.balances.queuedAtCheck} events still queued).`),
    );
    lines.push('');
    routeTable(lines, r);
  }
  return lines.join('\n');
}

function byKindTable(lines: string[], r: SizeResult): void {
  lines.push(
    `Calls per user by kind (${r.population.otherContacts} unrelated contacts too). Reads are GETs, writes POST/PUT. "Until DONE": the calls ` +
      'up to the seed\'s end; "+ settle" adds what it set in motion in the seconds after (opening balances, first polls); the targets are ' +
      'checked on "+ settle". "Shared" are calls naming no single user (list pages, feed polls, perks, award downloads), per user of all.',
  );
  lines.push('');
  lines.push(
    '| kind | users | CRM.COM reads | CRM.COM writes | CRM.COM total | Pepper reads | Pepper writes | Pepper total | + settle: CRM.COM / Pepper | target: CRM.COM / Pepper |',
  );
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  const row = (label: string, users: number, divisor: number, seed: KindCalls, settled: KindCalls, target: string): void => {
    const per = (x: number): string => (divisor > 0 ? fmt(x / divisor, 3) : '–');
    lines.push(
      `| ${label} | ${users} | ${per(seed.crm.reads)} | ${per(seed.crm.writes)} | ${per(calls(seed, 'crm'))} | ${per(seed.pepper.reads)} | ` +
        `${per(seed.pepper.writes)} | ${per(calls(seed, 'pepper'))} | ${per(calls(settled, 'crm'))} / ${per(calls(settled, 'pepper'))} | ${target} |`,
    );
  };
  for (const kind of USER_KINDS) {
    const users = r.population.byKind[kind];
    const settled = r.byKind.settled.byKind[kind];
    const goal = TARGETS[kind];
    const crmOk = users > 0 && calls(settled, 'crm') / users <= goal.crm + (goal.openingCredit ? 1 : 0);
    const pepperOk = goal.pepper === null || (users > 0 && calls(settled, 'pepper') / users <= goal.pepper);
    const crmGoal = `≤ ${goal.crm}${goal.openingCredit ? ' + the opening CREDIT' : ''}`;
    const target = `${crmGoal} / ${goal.pepper === null ? '–' : `≤ ${goal.pepper}`} ${crmOk && pepperOk ? 'met' : 'not met'}`;
    row(KIND_LABELS[kind], users, users, r.byKind.seed.byKind[kind], settled, target);
  }
  row('shared (per user)', r.users, r.users, r.byKind.seed.shared, r.byKind.settled.shared, '');
}

function phaseTable(lines: string[], r: SizeResult): void {
  lines.push('| phase | s | CRM.COM calls | Pepper calls | CRM.COM / Pepper per user or action |');
  lines.push('|---|---:|---:|---:|---:|');
  const crmSeed = total(r.routes.crm);
  const pepperSeed = total(r.routes.pepper);
  lines.push(`| seed (per user) | ${fmt(r.seedSeconds, 1)} | ${crmSeed} | ${pepperSeed} | ${fmt(crmSeed / r.users, 3)} / ${fmt(pepperSeed / r.users, 3)} |`);
  const phase = (label: string, p: PhaseCalls | null): void => {
    if (!p) return;
    const c = total(p.crm);
    const q = total(p.pepper);
    lines.push(`| ${label} | ${fmt(p.seconds, 1)} | ${c} | ${q} | ${p.units ? `${fmt(c / p.units, 3)} / ${fmt(q / p.units, 3)}` : '–'} |`);
  };
  const l = r.latencies;
  phase(l ? `latencies (${l.orderToPurchase.sent} orders + ${l.journalToPepper.sent} journals, per action)` : 'latencies', r.phases.latencies);
  const w = r.window;
  phase(w ? `window (${w.orders} orders, ${w.redemptions} redemptions, ${w.profileChanges} profile changes; per action)` : 'window', r.phases.window);
  if (l) {
    const j = l.journalToPepper;
    lines.push('');
    lines.push(
      `Latencies (s): order→purchase p50 ${seconds(l.orderToPurchase.p50)}, p95 ${seconds(l.orderToPurchase.p95)}, max ${seconds(l.orderToPurchase.max)}, ` +
        `${l.orderToPurchase.missing} of ${l.orderToPurchase.sent} not within ${l.timeoutSeconds} s; journal→Pepper (${j.awards} awards, ${j.spends} spends) ` +
        `p50 ${seconds(j.p50)}, p95 ${seconds(j.p95)}, max ${seconds(j.max)}, ${j.missing} of ${j.sent} not within ${l.timeoutSeconds} s` +
        `${j.changedOtherwise ? ` (${j.changedOtherwise} of them moved by another amount)` : ''}.`,
    );
  }
  if (w) {
    lines.push('');
    lines.push(
      `Window: ${w.actions} actions injected in ${fmt(w.injectSeconds, 2)} s; ${w.complete ? 'all' : `${w.processed} of ${w.actions}`} processed in ` +
        `${fmt(w.seconds, 1)} s = ${fmt(w.actionsPerSecond, 1)} actions/s; its orders' purchases p50 ${seconds(w.orderToPurchase.p50)} s, ` +
        `p95 ${seconds(w.orderToPurchase.p95)} s, max ${seconds(w.orderToPurchase.max)} s.`,
    );
  }
}

function routeTable(lines: string[], r: SizeResult): void {
  lines.push(
    `Calls per user by route, ${r.users} users (${r.population.newUsers} new, ${r.population.emailMatches} matched by email, ` +
      `${r.population.phoneMatches} by phone, ${r.population.withPoints} with Pepper points), counted on the simulators until the seed was DONE` +
      `${r.phases.window ? '; last column: calls per action of the window' : ''}:`,
  );
  lines.push('');
  const win = r.phases.window;
  lines.push(`| API | route | connector | floor |${win ? ' window, per action |' : ''}`);
  lines.push(`|---|---|---:|---:|${win ? '---:|' : ''}`);
  const rows = (api: string, mine: RouteCounts, floor: RouteCounts, windowCounts: RouteCounts | undefined): void => {
    const keys = [...new Set([...Object.keys(mine), ...Object.keys(floor), ...Object.keys(windowCounts ?? {})])].sort(
      (a, b) => (mine[b] ?? 0) - (mine[a] ?? 0) || (windowCounts?.[b] ?? 0) - (windowCounts?.[a] ?? 0),
    );
    for (const key of keys) {
      const perAction = win && windowCounts ? ` ${win.units ? fmt((windowCounts[key] ?? 0) / win.units, 3) : '–'} |` : '';
      lines.push(`| ${api} | \`${key}\` | ${fmt((mine[key] ?? 0) / r.users, 3)} | ${fmt((floor[key] ?? 0) / r.users, 3)} |${perAction}`);
    }
  };
  rows('CRM.COM', r.routes.crm, r.routes.floorCrm, win?.crm);
  rows('Pepper', r.routes.pepper, r.routes.floorPepper, win?.pepper);
}

/** Heap and RSS while the seed ran, at about a quarter, half, three quarters and the end: what grows with N. */
function memoryLine(lines: string[], r: SizeResult): void {
  const samples = r.memory.filter((m) => m.heapUsedMiB !== null);
  if (samples.length === 0) {
    lines.push('Memory while seeding: not sampled.');
    return;
  }
  const at = (share: number): MemorySample => samples.find((m) => m.users >= r.users * share) ?? samples[samples.length - 1];
  const points = [0.25, 0.5, 0.75, 1].map((share) => {
    const m = at(share);
    return `${m.users} users: heap ${m.heapUsedMiB} MiB, RSS ${m.rssMiB ?? '?'} MiB`;
  });
  lines.push(`Memory while seeding (the connector's /metrics): ${points.join('; ')}.`);
  if (r.heapSnapshots.length > 0) lines.push(`Heap snapshots: ${r.heapSnapshots.map((f) => `\`${f.split('/').pop()}\``).join(', ')} (bench/results/heap/).`);
}
