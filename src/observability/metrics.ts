import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { countRows } from '../persistence/table-counts';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { RecentValue } from '../common/recent-value';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { LogEventLevel, onLogEvent } from '../common/structured-log';
import type { HttpMethod } from '../upstream/http-failure';
import type { UpstreamObserver } from '../upstream/retrying-http';
import type { UpstreamName } from '../upstream/upstream-error';
import { FeedHealth } from './feed-health';

export interface CredentialState {
  /** the last answer was not a 401/403 */
  accepted: boolean;
  lastAcceptedAt: Date | null;
  lastRejectedAt: Date | null;
  lastRejectedStatus: string | null;
}

const UPSTREAMS: UpstreamName[] = ['pepper', 'crmcom'];
/** Job counts worth a gauge: the seed's and the reconciliation's progress. */
const PROGRESS_JOBS = ['users-seed', 'reconcile'];

/**
 * The Prometheus metrics of one app (its own registry, so tests may run several apps in one process). Counters move
 * as things happen; gauges that mirror the database (events, writes, conflicts, feeds) are read on scrape.
 */
@Injectable()
export class Metrics implements UpstreamObserver, OnModuleDestroy {
  readonly registry = new Registry();
  private readonly credentials = new Map<UpstreamName, CredentialState>(
    UPSTREAMS.map((api) => [api, { accepted: true, lastAcceptedAt: null, lastRejectedAt: null, lastRejectedStatus: null }]),
  );
  private readonly unsubscribe: () => void;

  readonly upstreamCalls = new Counter({
    name: 'connector_upstream_calls_total',
    help: 'HTTP attempts to Pepper and CRM.COM, by API, method, route (ids as :id) and status (or TIMEOUT / network error)',
    labelNames: ['api', 'method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly upstreamSeconds = new Histogram({
    name: 'connector_upstream_call_duration_seconds',
    help: 'Duration of one HTTP attempt to an upstream',
    labelNames: ['api', 'method', 'route'] as const,
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly upstreamRetries = new Counter({
    name: 'connector_upstream_retries_total',
    help: 'Upstream calls retried, by API and cause (status, TIMEOUT, network error)',
    labelNames: ['api', 'cause'] as const,
    registers: [this.registry],
  });
  readonly rateLimited = new Counter({
    name: 'connector_upstream_rate_limited_total',
    help: 'Upstream answers 429 (too many requests)',
    labelNames: ['api'] as const,
    registers: [this.registry],
  });
  readonly eventsSettled = new Counter({
    name: 'connector_events_settled_total',
    help: 'Inbound events worked by the queues, by source, type and outcome (done, skipped, waiting, parked, retry)',
    labelNames: ['source', 'type', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly logEvents = new Counter({
    name: 'connector_log_events_total',
    help: 'Structured log lines by event name and level (conflict, event_parked, run_failed, admin_action, alert_raised, …)',
    labelNames: ['event', 'level'] as const,
    registers: [this.registry],
  });

  constructor(dataSource: DataSource, feeds: FeedHealth, @Inject(APP_CONFIG) config: AppConfig) {
    const countsEveryMs = config.ops.countsEverySeconds * 1000;
    collectDefaultMetrics({ register: this.registry, prefix: 'connector_' });
    // Each count reads a whole table: at most once per OPS_COUNTS_SECONDS, whatever the scrape interval (README "Performance").
    const counts = new Map<string, RecentValue<Array<Record<string, unknown>>>>();
    const count = (sql: string): Promise<Array<Record<string, unknown>>> => {
      let recent = counts.get(sql);
      if (!recent) {
        recent = new RecentValue(countsEveryMs, () => countRows(dataSource, sql));
        counts.set(sql, recent);
      }
      return recent.get();
    };
    const fill = (gauge: Gauge<string>, rows: Array<Record<string, unknown>>, labels: string[]) => {
      gauge.reset();
      for (const row of rows) gauge.set(Object.fromEntries(labels.map((l) => [l, String(row[l] ?? '')])), Number(row.n));
    };
    new Gauge({
      name: 'connector_inbound_events',
      help: 'Inbound events taken in (stored), by source, type and state (PENDING, WAITING_LINK, DONE, SKIPPED, FAILED)',
      labelNames: ['source', 'type', 'state'],
      registers: [this.registry],
      async collect() {
        fill(this, await count('SELECT "source", "type", "state", COUNT(*) AS n FROM "inbound_event" GROUP BY "source", "type", "state"'), ['source', 'type', 'state']);
      },
    });
    new Gauge({
      name: 'connector_parked_events',
      help: 'Events parked (FAILED) for an operator, by source',
      labelNames: ['source'],
      registers: [this.registry],
      async collect() {
        const rows = await count(`SELECT "source", COUNT(*) AS n FROM "inbound_event" WHERE "state" = 'FAILED' GROUP BY "source"`);
        for (const source of ['pepper', 'crmcom']) this.set({ source }, Number(rows.find((r) => r.source === source)?.n ?? 0));
      },
    });
    new Gauge({
      name: 'connector_writes',
      help: 'Write attempts in the ledger, by target, kind and state (PENDING, DONE, FAILED, UNKNOWN, …)',
      labelNames: ['target', 'kind', 'state'],
      registers: [this.registry],
      async collect() {
        fill(this, await count('SELECT "target", "kind", "state", COUNT(*) AS n FROM "outbound_write" GROUP BY "target", "kind", "state"'), ['target', 'kind', 'state']);
      },
    });
    new Gauge({
      name: 'connector_conflicts_open',
      help: 'Open conflicts, by kind',
      labelNames: ['kind'],
      registers: [this.registry],
      async collect() {
        fill(this, await count(`SELECT "kind", COUNT(*) AS n FROM "conflict" WHERE "status" = 'OPEN' GROUP BY "kind"`), ['kind']);
      },
    });
    const reports = () => feeds.report();
    new Gauge({
      name: 'connector_feed_lag_seconds',
      help: 'How far each feed cursor is behind now',
      labelNames: ['feed'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const r of await reports()) if (r.lagSeconds !== null) this.set({ feed: r.feed }, r.lagSeconds);
      },
    });
    new Gauge({
      name: 'connector_feed_oldest_wait_seconds',
      help: 'Age of the oldest event of each feed still waiting (for a link, an echo, an opening balance, loyalty); 0 when none',
      labelNames: ['feed'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const r of await reports()) this.set({ feed: r.feed }, r.oldestWaitSeconds ?? 0);
      },
    });
    new Gauge({
      name: 'connector_job_progress',
      help: "Counts of the last run of the users seed and of the reconciliation (seen, linked, created, drift, …)",
      labelNames: ['job', 'count'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const job of PROGRESS_JOBS) {
          const rows = await count(`SELECT "counts" FROM "sync_run" WHERE "job" = '${job}' ORDER BY "startedAt" DESC LIMIT 1`);
          const counts = rows[0] ? parseCounts(rows[0].counts) : {};
          for (const [name, value] of Object.entries(counts)) if (typeof value === 'number') this.set({ job, count: name }, value);
        }
      },
    });
    const credentials = this.credentials;
    new Gauge({
      name: 'connector_upstream_credentials_accepted',
      help: '1 while the last answer of the API was not a 401/403',
      labelNames: ['api'],
      registers: [this.registry],
      collect() {
        for (const [api, state] of credentials) this.set({ api }, state.accepted ? 1 : 0);
      },
    });
    this.unsubscribe = onLogEvent((event: string, _fields: Record<string, unknown>, level: LogEventLevel) => {
      this.logEvents.inc({ event, level: level === 'log' ? 'info' : level });
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  attempt(api: UpstreamName, method: HttpMethod, route: string, status: string, seconds: number): void {
    this.upstreamCalls.inc({ api, method, route, status });
    this.upstreamSeconds.observe({ api, method, route }, seconds);
    if (status === '429') this.rateLimited.inc({ api });
    const state = this.credentials.get(api)!;
    if (status === '401' || status === '403') {
      state.accepted = false;
      state.lastRejectedAt = new Date();
      state.lastRejectedStatus = status;
    } else if (/^[1-4]\d\d$/.test(status)) {
      state.accepted = true;
      state.lastAcceptedAt = new Date();
    }
  }

  retry(api: UpstreamName, cause: string): void {
    this.upstreamRetries.inc({ api, cause });
  }

  credentialsOf(api: UpstreamName): CredentialState {
    return { ...this.credentials.get(api)! };
  }

  /** Metrics text for GET /metrics. */
  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

function parseCounts(value: unknown): Record<string, unknown> {
  if (value && typeof value === 'object') return value as Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(String(value));
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
