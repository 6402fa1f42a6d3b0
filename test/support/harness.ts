import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleLogger, INestApplication, Logger, LogLevel } from '@nestjs/common';
import request from 'supertest';
import { createApp } from '../../src/bootstrap';
import { Clock } from '../../src/common/clock';
import { AppConfig } from '../../src/config/app-config';
import { loadConfig } from '../../src/config/load-config';
import { JobRunner } from '../../src/core/job-runner';
import { SyncScheduler } from '../../src/sync/sync-scheduler';
import { CrmComSimulator } from '../../packages/simulators/src/crmcom';
import { PepperSimulator } from '../../packages/simulators/src/pepper/pepper-simulator';
import type { RunningServer } from '../../packages/simulators/src/shared/listen';
import { createTestSchema, onPostgres, registerPostgresPath } from './test-database';

export const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef';
export const PEPPER_TOKEN = 'e2e-pepper-secret-token';
export const CRM_API_KEY = 'e2e-crm-secret-api-key';
export const APP_ID = 'e2e-merchant';

export interface Harness {
  /** the temp directory holding the database */
  dir: string;
  pepper: PepperSimulator;
  crm: CrmComSimulator;
  config: AppConfig;
  app: INestApplication;
  admin: {
    get(path: string): request.Test;
    post(path: string, body?: object): request.Test;
  };
  /** resolves when no job is running */
  idle(): Promise<void>;
  /** stops the connector and starts a new one on the same database (a restart) */
  restart(): Promise<void>;
  /** stops the connector only (the simulators keep running) */
  stop(): Promise<void>;
  /** starts a connector again after stop(), with these variables changed (e.g. DATABASE_URL: another database) */
  start(env?: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  crm?: Partial<ConstructorParameters<typeof CrmComSimulator>[0]>;
  pepper?: Partial<ConstructorParameters<typeof PepperSimulator>[0]>;
  /** seeds the simulators before the connector starts */
  seed?: (pepper: PepperSimulator, crm: CrmComSimulator) => void;
  /** one "now" for the connector and both simulators (tests move it to let retry delays pass) */
  clock?: Clock;
  /** Nest log levels; default errors only */
  logger?: LogLevel[] | false;
  /** SQLite even when TEST_DATABASE=postgres (a test that moves the database to Postgres itself) */
  sqlite?: boolean;
}

/** Both simulators over real HTTP, and the connector over real HTTP against them, on a fresh database. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const now = options.clock ? () => options.clock!.now() : undefined;
  const pepper = new PepperSimulator({ authToken: PEPPER_TOKEN, applicationId: APP_ID, now, ...options.pepper });
  const crm = new CrmComSimulator({ apiKey: CRM_API_KEY, now, ...options.crm });
  options.seed?.(pepper, crm);
  const servers: RunningServer[] = [await pepper.start(0), await crm.start(0)];
  const dir = mkdtempSync(join(tmpdir(), 'connector-e2e-'));
  // TEST_DATABASE=postgres: this harness's own schema, dropped on close.
  const schema = onPostgres && !options.sqlite ? await createTestSchema('e2e') : null;
  const baseEnv: Record<string, string> = {
    PEPPER_API_URL: servers[0].url,
    PEPPER_MENU_API_URL: servers[0].url, // the Pepper simulator serves the menu host too
    PEPPER_AUTH_TOKEN: PEPPER_TOKEN,
    PEPPER_APPLICATION_ID: APP_ID,
    CRMCOM_API_URL: servers[1].url,
    CRMCOM_API_KEY: CRM_API_KEY,
    ADMIN_API_TOKEN: ADMIN_TOKEN,
    DATABASE_PATH: join(dir, 'connector.sqlite'),
    SCHEDULER_ENABLED: 'false',
    PEPPER_POLL_LAG_SECONDS: '0',
    HTTP_TIMEOUT_MS: '2000',
    HTTP_BACKOFF_BASE_MS: '5',
    HTTP_BACKOFF_MAX_MS: '50',
    LOG_LEVEL: 'error',
    ...(schema ? { DATABASE_URL: schema.url } : {}),
    // tests poll the admin API hard; the rate limit has its own spec
    ADMIN_RATE_LIMIT_PER_MINUTE: '1000000',
    // tests read the totals right after what changes them
    OPS_COUNTS_SECONDS: '0',
    // behaviour, not throughput: 32 lanes against simulators in the same process, on a busy 2-core machine, push calls
    // past the 2 s timeout (a create in doubt settles after the test has looked); 8 lanes, the seed is no slower here
    SYNC_CONCURRENCY: '8',
    // behaviour, not throughput: the rate budget per upstream has its own spec
    PEPPER_MAX_RPS: '10000',
    CRMCOM_MAX_RPS: '10000',
    ...options.env,
  };
  let config = loadConfig(baseEnv);
  if (schema) registerPostgresPath(config.databasePath, schema.url);

  const boot = async (): Promise<INestApplication> => {
    const logger = options.logger ?? ['error'];
    // An earlier app created with `logger: false` removes Nest's static logger for good; bring it back.
    if (logger !== false) Logger.overrideLogger(new ConsoleLogger());
    const app = await createApp(config, options.clock ? { clock: options.clock } : {}, logger);
    try {
      await app.listen(0, '127.0.0.1');
    } catch (error) {
      // A refused start (lease, pins, mode) gives back what it took, as the entry point does.
      await app.close().catch(() => undefined);
      throw error;
    }
    return app;
  };

  let app = await boot();
  let stopped = false;
  let closed = false;
  const harness: Harness = {
    dir,
    pepper,
    crm,
    get config() {
      return config;
    },
    get app() {
      return app;
    },
    admin: {
      get: (path) => request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${ADMIN_TOKEN}`),
      post: (path, body = {}) => request(app.getHttpServer()).post(path).set('Authorization', `Bearer ${ADMIN_TOKEN}`).send(body),
    },
    idle: async () => {
      await app.get(SyncScheduler).ready;
      await app.get(JobRunner).idle();
    },
    async restart() {
      await app.close();
      app = await boot();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.close();
    },
    async start(env = {}) {
      if (!stopped) throw new Error('start() needs a stop() first');
      config = loadConfig({ ...baseEnv, ...env });
      app = await boot();
      stopped = false;
    },
    async close() {
      if (closed) return;
      closed = true;
      // Hanging requests would hold the connector's shutdown: release them first.
      pepper.faults.clear();
      crm.faults.clear();
      await app.close().catch(() => undefined);
      for (const server of servers) await server.close();
      await schema?.drop();
    },
  };
  return harness;
}

/** Polls until `check` passes or the time runs out (then fails with the last error). */
export async function waitFor<T>(check: () => Promise<T> | T, timeoutMs = 15_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw lastError;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
