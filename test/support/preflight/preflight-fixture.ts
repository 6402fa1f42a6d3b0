import { ConsoleLogger, Logger } from '@nestjs/common';
import { Clock } from '../../../src/common/clock';
import { Sleeper } from '../../../src/common/sleeper';
import { AppConfig } from '../../../src/config/app-config';
import { loadConfig } from '../../../src/config/load-config';
import { CrmComClient } from '../../../src/crmcom/crmcom.client';
import { buildPreflightDeps, PreflightDeps } from '../../../src/preflight';
import { CrmComSimulator, CrmComSimulatorOptions } from '../../../packages/simulators/src/crmcom';
import { PepperSimulator } from '../../../packages/simulators/src/pepper/pepper-simulator';
import type { RunningServer } from '../../../packages/simulators/src/shared/listen';

export const PEPPER_TOKEN = 'preflight-pepper-secret-token';
export const CRM_API_KEY = 'preflight-crm-secret-api-key';
export const APP_ID = 'preflight-merchant';
export const WALLET_PERK = 'perk-wallet';

export interface PreflightFixture {
  pepper: PepperSimulator;
  crm: CrmComSimulator;
  /** the environment a merchant would set (the simulators' URLs), for the child-process CLI */
  env: Record<string, string>;
  config: AppConfig;
  deps: PreflightDeps;
  close(): Promise<void>;
}

export interface FixtureOptions {
  crm?: Partial<CrmComSimulatorOptions>;
  env?: Record<string, string>;
  /** seeds a merchant with data on both sides (default true) */
  seed?: boolean;
}

/**
 * Both simulators over real HTTP, seeded like a merchant's first day: users and an order in Pepper with the wallet perk;
 * contacts with code, email and phone, a purchase and wallet journals with references in CRM.COM.
 */
export async function startPreflightFixture(options: FixtureOptions = {}): Promise<PreflightFixture> {
  Logger.overrideLogger(new ConsoleLogger({ logLevels: ['error'] }));
  const pepper = new PepperSimulator({ authToken: PEPPER_TOKEN, applicationId: APP_ID });
  const crm = new CrmComSimulator({ apiKey: CRM_API_KEY, rewardOffers: [{ name: '10% back', percent: 10 }], ...options.crm });
  const servers: RunningServer[] = [await pepper.start(0), await crm.start(0)];
  const env: Record<string, string> = {
    PEPPER_API_URL: servers[0].url,
    PEPPER_AUTH_TOKEN: PEPPER_TOKEN,
    PEPPER_APPLICATION_ID: APP_ID,
    CRMCOM_API_URL: servers[1].url,
    CRMCOM_API_KEY: CRM_API_KEY,
    ADMIN_API_TOKEN: 'preflight-admin-token-0123456789',
    HTTP_TIMEOUT_MS: '2000',
    HTTP_MAX_RETRIES: '1',
    HTTP_BACKOFF_BASE_MS: '5',
    HTTP_BACKOFF_MAX_MS: '20',
    LOG_LEVEL: 'error',
    ...options.env,
  };
  const config = loadConfig(env);
  if (options.seed ?? true) await seed(pepper, crm, config);
  return {
    pepper,
    crm,
    env,
    config,
    deps: buildPreflightDeps(config),
    async close() {
      pepper.faults.clear();
      crm.faults.clear();
      for (const server of servers) await server.close();
    },
  };
}

async function seed(pepper: PepperSimulator, crm: CrmComSimulator, config: AppConfig): Promise<void> {
  pepper.addPerk({ id: WALLET_PERK, title: 'Wallet', template: 'PSEUDO_CURRENCY' });
  pepper.addPerk({ id: 'perk-stamps', title: 'Coffee stamps', template: 'STAMP_CARD' });
  const ann = pepper.addUser({ firstName: 'Ann', lastName: 'Lee', email: 'ann@example.com', phone: '+447911123456' });
  const bob = pepper.addUser({ firstName: 'Bob', lastName: 'Ray', email: 'bob@example.com', phone: '+447400123456' });
  pepper.completeOrder(ann.id, { orderId: 'ord-1', total: '12.50', items: [{ productId: 'p-1', title: 'Flat white', quantity: 2, price: '3.50' }] });
  pepper.completeOrder(bob.id, { orderId: 'ord-2', total: 8, items: [] });

  const first = crm.addContact({ code: ann.id, firstName: 'Ann', email: 'ann@example.com', phone: '+447911123456', balance: '5.00' });
  crm.addContact({ code: bob.id, firstName: 'Bob', email: 'bob@example.com', phone: '+447400123456' });
  crm.addContact({ firstName: 'Walk-in', email: 'walkin@example.com' });
  crm.posAward(first.id, '1.00', { referenceNumber: 'pos-award-1' });
  crm.posSpend(first.id, '0.50', { referenceNumber: 'pos-spend-1' });
  // A purchase the connector made earlier, with its reference (and the reward offer's award journal).
  const client = new CrmComClient(config, new Clock(), new Sleeper());
  await client.createPurchase({
    referenceNumber: `pepper:${APP_ID}:order:old-1`,
    contactId: first.id,
    currency: 'EUR',
    dateEpochSeconds: Math.floor(Date.now() / 1000) - 3600,
    totalMinor: 2000,
    products: [],
  });
}
