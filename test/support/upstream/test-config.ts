import { AppConfig } from '../../../src/config/app-config';

type Sections = 'pepper' | 'crmcom' | 'http' | 'loyalty';

export type TestConfigOverrides = Partial<Omit<AppConfig, Sections>> & {
  [K in Sections]?: Partial<AppConfig[K]>;
};

export const TEST_PEPPER_URL = 'https://pepper.test';
export const TEST_CRMCOM_URL = 'https://crm.test/backoffice/v2';

/** A complete AppConfig for tests, with secrets that are easy to search for in logs and errors. */
export function testConfig(overrides: TestConfigOverrides = {}): AppConfig {
  const { pepper, crmcom, http, loyalty, ...rest } = overrides;
  return {
    pepper: {
      apiUrl: TEST_PEPPER_URL,
      authToken: 'pepper-secret-token-0123456789',
      applicationId: 'test-merchant',
      apiVersion: '12',
      pageSize: 100,
      pollIntervalSeconds: 300,
      pollLagSeconds: 30,
      pollOverlapSeconds: 600,
      sweepHours: 24,
      ...pepper,
    },
    crmcom: {
      apiUrl: TEST_CRMCOM_URL,
      apiKey: 'crmcom-secret-api-key-0123456789',
      username: null,
      password: null,
      pageSize: 100,
      maxPages: 50,
      currency: 'EUR',
      pollIntervalSeconds: 300,
      pollOverlapSeconds: 300,
      sweepHours: 48,
      ...crmcom,
    },
    http: {
      timeoutMs: 2000,
      maxRetries: 3,
      backoffBaseMs: 100,
      backoffMaxMs: 2000,
      ...http,
    },
    loyalty: {
      walletPerkId: null,
      pointsPerCurrencyUnit: 100,
      reconcileFix: false,
      pepperWalletEarning: 'credit',
      orderMaxTotalMinor: 50_000,
      reconcileCron: '0 3 * * *',
      locationOrganisations: {},
      ...loyalty,
    },
    audiences: {
      segmentSources: [],
      segmentMaxRemovalPercent: 20,
      segmentRecreateDeleted: true,
      webhookSecret: null,
      webhookFields: { eventId: '/eventId', contactId: '/contactId', contactCode: '/contactCode', title: '/title', message: '/message', serviceMessage: '/serviceMessage' },
      notificationPollSeconds: 60,
    },
    products: { api: 'v5', locations: [], menuApiUrl: 'https://menu.pepper.test' },
    databasePath: ':memory:',
    databaseUrl: null,
    leaseTtlSeconds: 30,
    adminApiToken: 'admin-token-for-tests-0123456789',
    port: 0,
    host: '127.0.0.1',
    ops: { logFormat: 'json', metricsPublic: false, alertWebhookUrl: null, alertFeedStallMinutes: 30, retentionDays: 30, adminRateLimitPerMinute: 1200, countsEverySeconds: 0 },
    phoneDefaultRegion: 'GB',
    syncConcurrency: 4,
    maxWaitHours: 6,
    syncMode: 'live',
    lockWatchdogSeconds: 600,
    jobWatchdogMinutes: 120,
    writeSettleSeconds: 120,
    schedulerEnabled: false,
    logLevel: 'warn',
    ...rest,
  };
}
