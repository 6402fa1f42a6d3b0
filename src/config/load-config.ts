import { validateCronExpression } from 'cron';
import { isSupportedCountry } from 'libphonenumber-js';
import { AppConfig } from './app-config';
import { isPostgresUrl } from './database-target';
import { ConfigValidationError } from './config-error';
import { EnvReader } from './env-reader';
import { readEnvFile } from './env-file';

/** `loc1=org1,loc2=org2` or a JSON object: Pepper location id → CRM.COM organisation id. */
function parseLocationMap(reader: EnvReader, name: string): Record<string, string> {
  const value = reader.optional(name);
  if (!value) return {};
  try {
    if (value.startsWith('{')) {
      const parsed: unknown = JSON.parse(value);
      if (parsed && typeof parsed === 'object' && Object.values(parsed).every((v) => typeof v === 'string')) {
        return parsed as Record<string, string>;
      }
      throw new Error('not a string map');
    }
    const map: Record<string, string> = {};
    for (const pair of value.split(',')) {
      const [location, organisation] = pair.split('=').map((s) => s.trim());
      if (!location || !organisation) throw new Error('bad pair');
      map[location] = organisation;
    }
    return map;
  } catch {
    reader.check(false, `${name} must be a JSON object or a list like "loc1=org1,loc2=org2"`);
    return {};
  }
}

/** Validates the environment once, at boot. Throws ConfigValidationError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const r = new EnvReader(env);
  const username = r.optional('CRMCOM_USERNAME');
  const password = r.optional('CRMCOM_PASSWORD');
  r.check(!username === !password, 'CRMCOM_USERNAME and CRMCOM_PASSWORD must be set together (or neither)');

  const adminApiToken = r.required('ADMIN_API_TOKEN', 'bearer token for /admin, at least 24 characters');
  r.check(adminApiToken === '' || adminApiToken.length >= 24, 'ADMIN_API_TOKEN must be at least 24 characters long');

  const currency = r.string('CRMCOM_CURRENCY', 'EUR').toUpperCase();
  r.check(/^[A-Z]{3}$/.test(currency), 'CRMCOM_CURRENCY must be a 3-letter ISO 4217 code');

  const region = r.string('PHONE_DEFAULT_REGION', 'GB').toUpperCase();
  r.check(isSupportedCountry(region), 'PHONE_DEFAULT_REGION must be a 2-letter region code such as GB');

  const reconcileCron = r.string('RECONCILE_CRON', '0 3 * * *');
  // The same parser the scheduler uses, so a value accepted here is one the reconcile job can be started with.
  r.check(validateCronExpression(reconcileCron).valid, 'RECONCILE_CRON must be a valid cron expression (5 or 6 fields, each in range)');

  const httpTimeoutMs = r.integer('HTTP_TIMEOUT_MS', 15_000, 100, 300_000);
  const writeSettleSeconds = r.integer('WRITE_SETTLE_SECONDS', 120, 1, 86_400);
  // A POST may still be in progress upstream until the client gives up on it: settling earlier could prove absence wrongly.
  r.check(writeSettleSeconds * 1000 > httpTimeoutMs, 'WRITE_SETTLE_SECONDS must be longer than HTTP_TIMEOUT_MS (in seconds)');

  const databaseUrl = r.optional('DATABASE_URL');
  // The URL holds the database password: it is named in the message, never printed.
  r.check(databaseUrl === null || isPostgresUrl(databaseUrl), 'DATABASE_URL must be a postgres:// URL with a host and a database name (postgres://user:password@host:5432/db)');

  const config: AppConfig = {
    pepper: {
      apiUrl: r.url('PEPPER_API_URL', 'https://api.pepperhq.com'),
      authToken: r.required('PEPPER_AUTH_TOKEN', 'the merchant token sent as "Authorization: Token …"'),
      applicationId: r.required('PEPPER_APPLICATION_ID', 'the merchant code sent as x-application-id'),
      apiVersion: String(r.integer('PEPPER_API_VERSION', 12, 1, 99)),
      pageSize: r.integer('PEPPER_PAGE_SIZE', 100, 1, 500),
      pollIntervalSeconds: r.integer('PEPPER_POLL_INTERVAL_SECONDS', 300, 1, 86_400),
      pollLagSeconds: r.integer('PEPPER_POLL_LAG_SECONDS', 30, 0, 3_600),
      pollOverlapSeconds: r.integer('PEPPER_POLL_OVERLAP_SECONDS', 600, 0, 86_400),
      sweepHours: r.integer('PEPPER_SWEEP_HOURS', 24, 1, 24 * 30),
    },
    crmcom: {
      apiUrl: r.url('CRMCOM_API_URL'),
      apiKey: r.required('CRMCOM_API_KEY', 'the CRM.COM secret key sent as the api_key header'),
      username,
      password,
      pageSize: r.integer('CRMCOM_PAGE_SIZE', 100, 1, 100),
      maxPages: r.integer('CRMCOM_MAX_PAGES', 1000, 1, 100_000),
      currency,
      pollIntervalSeconds: r.integer('CRMCOM_POLL_INTERVAL_SECONDS', 300, 1, 86_400),
      pollOverlapSeconds: r.integer('CRMCOM_POLL_OVERLAP_SECONDS', 300, 0, 86_400),
      sweepHours: r.integer('CRMCOM_SWEEP_HOURS', 48, 1, 24 * 30),
    },
    http: {
      timeoutMs: httpTimeoutMs,
      maxRetries: r.integer('HTTP_MAX_RETRIES', 4, 0, 10),
      backoffBaseMs: r.integer('HTTP_BACKOFF_BASE_MS', 500, 1, 60_000),
      backoffMaxMs: r.integer('HTTP_BACKOFF_MAX_MS', 30_000, 1, 300_000),
    },
    loyalty: {
      walletPerkId: r.optional('WALLET_PERK_ID'),
      pointsPerCurrencyUnit: r.integer('POINTS_PER_CURRENCY_UNIT', 100, 1, 1_000_000),
      pepperWalletEarning: r.oneOf('PEPPER_WALLET_EARNING', ['credit', 'conflict'] as const, 'credit'),
      reconcileCron,
      reconcileFix: r.boolean('RECONCILE_FIX', false),
      locationOrganisations: parseLocationMap(r, 'LOCATION_ORGANISATION_MAP'),
    },
    databasePath: r.string('DATABASE_PATH', './data/connector.sqlite'),
    databaseUrl,
    leaseTtlSeconds: r.integer('LEASE_TTL_SECONDS', 30, 2, 3_600),
    adminApiToken,
    port: r.integer('PORT', 3000, 0, 65_535),
    phoneDefaultRegion: region,
    syncConcurrency: r.integer('SYNC_CONCURRENCY', 4, 1, 32),
    maxWaitHours: r.integer('MAX_WAIT_HOURS', 6, 1, 24 * 30),
    writeSettleSeconds,
    schedulerEnabled: r.boolean('SCHEDULER_ENABLED', true),
    logLevel: r.oneOf('LOG_LEVEL', ['debug', 'info', 'warn', 'error'] as const, 'info'),
  };
  if (r.problems.length > 0) throw new ConfigValidationError(r.problems);
  return config;
}

/** The production entry: `.env` in the working directory (if any), overridden by the real environment. */
export function loadConfigFromEnvironment(envFile = '.env'): AppConfig {
  return loadConfig({ ...readEnvFile(envFile), ...process.env });
}
