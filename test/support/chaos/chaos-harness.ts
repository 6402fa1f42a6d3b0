import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleLogger, INestApplication, Logger, LogLevel } from '@nestjs/common';
import request from 'supertest';
import { createApp } from '../../../src/bootstrap';
import { Clock } from '../../../src/common/clock';
import type { AppConfig } from '../../../src/config/app-config';
import { loadConfig } from '../../../src/config/load-config';
import { CrmComSimulator } from '../../../src/simulators/crmcom';
import type { CrmComSimulatorOptions } from '../../../src/simulators/crmcom/crmcom-simulator';
import { PepperSimulator } from '../../../src/simulators/pepper/pepper-simulator';
import type { RunningServer } from '../../../src/simulators/shared/listen';
import { JobRunner } from '../../../src/sync/job-runner';
import { SyncScheduler } from '../../../src/sync/sync-scheduler';
import { ADMIN_TOKEN, APP_ID, CRM_API_KEY, Harness, PEPPER_TOKEN } from '../harness';
import { LOYALTY_ENV, settle, WALLET_PERK } from '../loyalty';
import { pendingEvents } from './db';
import { instrumentCrm, instrumentPepper } from './instrument';
import { checkInvariants } from './invariants';

/**
 * "Now" for the connector and both simulators at once. Tests move it forward to let retry delays (30 s and more)
 * and settling windows pass without waiting them out; all three parties see the same time, so windows, cursors,
 * action timestamps and journal dates stay consistent.
 */
export class SkewClock extends Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface ChaosHarness extends Harness {
  clock: SkewClock;
  /** the temp directory holding the database */
  dir: string;
}

export interface ChaosHarnessOptions {
  env?: Record<string, string>;
  crm?: Partial<CrmComSimulatorOptions>;
  /** seeds the simulators (after the wallet perk is added) before the connector starts */
  seed?: (pepper: PepperSimulator, crm: CrmComSimulator) => void;
  /** add the enabled PSEUDO_CURRENCY wallet perk (default true) */
  walletPerk?: boolean;
  /** Nest log levels; default none (chaos tests cause many errors on purpose) */
  logger?: LogLevel[] | false;
}

/**
 * Like startHarness (both simulators and the connector over real HTTP, fresh database, ephemeral ports), plus:
 * a shared movable clock, instrumented simulators (see instrument.ts), loyalty env and more HTTP retries by default.
 */
export async function startChaosHarness(options: ChaosHarnessOptions = {}): Promise<ChaosHarness> {
  const clock = new SkewClock();
  const now = () => clock.now();
  const pepper = new PepperSimulator({ authToken: PEPPER_TOKEN, applicationId: APP_ID, now });
  const crm = new CrmComSimulator({ apiKey: CRM_API_KEY, now, ...options.crm });
  instrumentPepper(pepper);
  instrumentCrm(crm);
  if (options.walletPerk !== false) pepper.addPerk({ id: WALLET_PERK, title: 'Wallet', template: 'PSEUDO_CURRENCY' });
  options.seed?.(pepper, crm);
  const servers: RunningServer[] = [await pepper.start(0), await crm.start(0)];
  const dir = mkdtempSync(join(tmpdir(), 'connector-chaos-'));
  const config = loadConfig({
    PEPPER_API_URL: servers[0].url,
    PEPPER_AUTH_TOKEN: PEPPER_TOKEN,
    PEPPER_APPLICATION_ID: APP_ID,
    CRMCOM_API_URL: servers[1].url,
    CRMCOM_API_KEY: CRM_API_KEY,
    ADMIN_API_TOKEN: ADMIN_TOKEN,
    DATABASE_PATH: join(dir, 'connector.sqlite'),
    SCHEDULER_ENABLED: 'false',
    HTTP_TIMEOUT_MS: '2000',
    HTTP_MAX_RETRIES: '6',
    HTTP_BACKOFF_BASE_MS: '5',
    HTTP_BACKOFF_MAX_MS: '50',
    LOG_LEVEL: 'error',
    ...LOYALTY_ENV,
    ...options.env,
  });
  const logger = options.logger ?? false;
  const boot = async (): Promise<INestApplication> => {
    // An earlier app created with `logger: false` removes Nest's static logger for good; bring it back.
    if (logger !== false) Logger.overrideLogger(new ConsoleLogger());
    const app = await createApp(config, { clock }, logger);
    await app.listen(0, '127.0.0.1');
    return app;
  };

  let app = await boot();
  let closed = false;
  return {
    pepper,
    crm,
    config,
    clock,
    dir,
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
    async close() {
      if (closed) return;
      closed = true;
      // Hanging requests would hold the connector's shutdown: release them first.
      pepper.faults.clear();
      crm.faults.clear();
      await app.close().catch(() => undefined);
      for (const server of servers) await server.close();
    },
  };
}

export interface SettleOutcome {
  rounds: number;
  pending: number;
  violations: string[];
}

/**
 * Runs both feeds until nothing is queued and the invariants hold, moving the shared clock forward between rounds
 * so that events waiting for a retry (30 s, 60 s …) or for the actions feed to pass a write in doubt become due.
 * Bounded: returns the last state after `maxRounds`, for the test to assert on.
 */
export async function settleUntilClean(h: ChaosHarness, options: { maxRounds?: number; stepMs?: number } = {}): Promise<SettleOutcome> {
  const maxRounds = options.maxRounds ?? 12;
  const stepMs = options.stepMs ?? 65_000;
  let outcome: SettleOutcome = { rounds: 0, pending: 0, violations: [] };
  for (let round = 1; round <= maxRounds; round++) {
    await settle(h, 2);
    const pending = (await pendingEvents(h.config.databasePath)).length;
    const violations = pending === 0 ? await checkInvariants(h) : [];
    outcome = { rounds: round, pending, violations };
    if (pending === 0 && violations.length === 0) return outcome;
    h.clock.advance(stepMs);
  }
  return outcome;
}

/** A Pepper user with a verified email, created without an action (as before the connector's first start). */
export function addUsers(pepper: PepperSimulator, prefix: string, count: number, emitAction = false): string[] {
  return Array.from({ length: count }, (_, i) =>
    pepper.addUser({ firstName: `${prefix}${i}`, lastName: 'Chaos', email: `${prefix.toLowerCase()}${i}@chaos.example` }, { emitAction }).id,
  );
}

export const ORDER_ITEMS = [{ productId: 'latte', title: 'Latte', quantity: 2, price: '3.75' }];

export function orderRef(config: Pick<AppConfig, 'pepper'>, orderId: string): string {
  return `pepper:${config.pepper.applicationId}:order:${orderId}`;
}

export { WALLET_PERK };
