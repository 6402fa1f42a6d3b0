import { validateCronExpression } from 'cron';
import { isSupportedCountry } from 'libphonenumber-js';
import { AppConfig, SegmentSourceConfig, SegmentSourceKind, WEBHOOK_FIELDS, WebhookField } from './app-config';
import { parseDecimalToMinor } from '../common/money';
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

/** A positive amount in major units (decimal text, e.g. "500.00"), in minor units. */
function parseMoney(reader: EnvReader, name: string, fallback: string): number {
  const text = reader.optional(name) ?? fallback;
  try {
    const minor = parseDecimalToMinor(text.trim(), 2);
    reader.check(minor > 0, `${name} must be a positive amount such as 500.00`);
    return minor;
  } catch {
    reader.check(false, `${name} must be a positive amount such as 500.00`);
    return 0;
  }
}

/** https, or http to a loopback address (where the simulators run). */
export function isHttpsOrLoopback(url: string): boolean {
  const parsed = new URL(url);
  if (parsed.protocol === 'https:') return true;
  const host = parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

const SOURCE_KINDS: readonly SegmentSourceKind[] = ['segment', 'tier', 'tag'];
const SOURCE_ID = /^[A-Za-z0-9_.@+-]{1,200}$/;

/** `kind:id=Name,…` (kinds segment, tier, tag): the CRM.COM audiences mirrored as Pepper segments. */
function parseSegmentMap(reader: EnvReader, name: string): SegmentSourceConfig[] {
  const value = reader.optional(name);
  if (!value) return [];
  const sources: SegmentSourceConfig[] = [];
  for (const entry of value.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const source = parseSegmentSource(entry);
    if (!source || sources.some((s) => s.source === source.source)) {
      reader.check(false, `${name} must be a list like "tier:<id>=Gold members,segment:<id>=Lapsed,tag:<id>=VIP" (kinds segment, tier, tag; each source once)`);
      return [];
    }
    sources.push(source);
  }
  return sources;
}

/** One `kind:id=Name`, or null when it is not one. */
export function parseSegmentSource(entry: string): SegmentSourceConfig | null {
  const eq = entry.indexOf('=');
  if (eq <= 0) return null;
  const key = entry.slice(0, eq).trim();
  const label = entry.slice(eq + 1).trim();
  const colon = key.indexOf(':');
  const kind = key.slice(0, colon) as SegmentSourceKind;
  const externalId = key.slice(colon + 1);
  if (colon <= 0 || !SOURCE_KINDS.includes(kind) || !SOURCE_ID.test(externalId) || label === '' || label.length > 100) return null;
  return { source: `${kind}:${externalId}`, kind, externalId, name: label };
}

const DEFAULT_WEBHOOK_FIELDS: Record<WebhookField, string> = {
  eventId: '/eventId',
  contactId: '/contactId',
  contactCode: '/contactCode',
  title: '/title',
  message: '/message',
  serviceMessage: '/serviceMessage',
};

/** `name=/json/pointer,…` over the defaults (design §9's top-level names). */
function parseWebhookFields(reader: EnvReader, name: string): Record<WebhookField, string> {
  const fields = { ...DEFAULT_WEBHOOK_FIELDS };
  const value = reader.optional(name);
  if (!value) return fields;
  for (const pair of value.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const eq = pair.indexOf('=');
    const field = pair.slice(0, eq).trim() as WebhookField;
    const pointer = pair.slice(eq + 1).trim();
    if (eq <= 0 || !WEBHOOK_FIELDS.includes(field) || !pointer.startsWith('/')) {
      reader.check(false, `${name} must be a list like "eventId=/event/id,contactId=/contact/id" (names ${WEBHOOK_FIELDS.join(', ')}; JSON pointers)`);
      return { ...DEFAULT_WEBHOOK_FIELDS };
    }
    fields[field] = pointer;
  }
  return fields;
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

  const webhookSecret = r.optional('CRMCOM_WEBHOOK_SECRET');
  r.check(webhookSecret === null || webhookSecret.length >= 16, 'CRMCOM_WEBHOOK_SECRET must be at least 16 characters long');
  const productLocations = (r.optional('PRODUCT_LOCATIONS') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  r.check(productLocations.every((l) => SOURCE_ID.test(l)), 'PRODUCT_LOCATIONS must be a comma-separated list of Pepper location ids');
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
      maxRps: r.integer('PEPPER_MAX_RPS', 100, 1, 10_000),
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
      maxRps: r.integer('CRMCOM_MAX_RPS', 400, 1, 10_000),
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
      // An unrecognised echo must never be paid twice: an earning in Pepper opens a conflict unless told otherwise.
      pepperWalletEarning: r.oneOf('PEPPER_WALLET_EARNING', ['credit', 'conflict'] as const, 'conflict'),
      reconcileCron,
      reconcileFix: r.boolean('RECONCILE_FIX', false),
      locationOrganisations: parseLocationMap(r, 'LOCATION_ORGANISATION_MAP'),
      orderMaxTotalMinor: parseMoney(r, 'ORDER_MAX_TOTAL', '500.00'),
    },
    audiences: {
      segmentSources: parseSegmentMap(r, 'SEGMENT_MAP'),
      segmentMaxRemovalPercent: r.integer('SEGMENT_MAX_REMOVAL_PERCENT', 20, 0, 100),
      segmentRecreateDeleted: r.boolean('SEGMENT_RECREATE_DELETED', true),
      webhookSecret,
      webhookFields: parseWebhookFields(r, 'CRMCOM_WEBHOOK_FIELDS'),
      notificationPollSeconds: r.integer('NOTIFICATION_POLL_SECONDS', 60, 5, 86_400),
    },
    products: {
      api: r.oneOf('CRMCOM_PRODUCT_API', ['v5', 'legacy'] as const, 'v5'),
      locations: productLocations,
      menuApiUrl: r.url('PEPPER_MENU_API_URL', 'https://menu.pepperhq.com'),
    },
    databasePath: r.string('DATABASE_PATH', './data/connector.sqlite'),
    databaseUrl,
    leaseTtlSeconds: r.integer('LEASE_TTL_SECONDS', 30, 2, 3_600),
    adminApiToken,
    port: r.integer('PORT', 3000, 0, 65_535),
    host: r.string('HOST', '0.0.0.0'),
    ops: {
      logFormat: r.oneOf('LOG_FORMAT', ['json', 'pretty'] as const, 'json'),
      metricsPublic: r.boolean('METRICS_PUBLIC', false),
      countsEverySeconds: r.integer('OPS_COUNTS_SECONDS', 10, 0, 3600),
      alertWebhookUrl: r.optional('ALERT_WEBHOOK_URL') === null ? null : r.url('ALERT_WEBHOOK_URL'),
      alertFeedStallMinutes: r.integer('ALERT_FEED_STALL_MINUTES', 30, 1, 7 * 24 * 60),
      retentionDays: r.integer('RETENTION_DAYS', 30, 1, 3_650),
      adminRateLimitPerMinute: r.integer('ADMIN_RATE_LIMIT_PER_MINUTE', 1200, 1, 1_000_000),
    },
    phoneDefaultRegion: region,
    syncConcurrency: r.integer('SYNC_CONCURRENCY', 32, 1, 64),
    maxWaitHours: r.integer('MAX_WAIT_HOURS', 6, 1, 24 * 30),
    syncMode: r.oneOf('SYNC_MODE', ['live', 'shadow'] as const, 'live'),
    lockWatchdogSeconds: r.integer('LOCK_WATCHDOG_SECONDS', 600, 0, 86_400),
    jobWatchdogMinutes: r.integer('JOB_WATCHDOG_MINUTES', 120, 0, 10_080),
    writeSettleSeconds,
    schedulerEnabled: r.boolean('SCHEDULER_ENABLED', true),
    logLevel: r.oneOf('LOG_LEVEL', ['debug', 'info', 'warn', 'error'] as const, 'info'),
  };
  // Tokens must never cross a network in clear text; plain http is for the simulators on this machine only.
  for (const [name, url] of [['PEPPER_API_URL', config.pepper.apiUrl], ['CRMCOM_API_URL', config.crmcom.apiUrl]] as const) {
    r.check(url === '' || isHttpsOrLoopback(url), `${name} must be an https:// URL (plain http is allowed on loopback addresses only: 127.0.0.0/8, ::1, localhost)`);
  }
  r.check(/^[A-Za-z0-9.:[\]-]{1,255}$/.test(config.host), 'HOST must be an address or host name to bind, e.g. 0.0.0.0 or 127.0.0.1');
  if (r.problems.length > 0) throw new ConfigValidationError(r.problems);
  return config;
}

/** The production entry: `.env` in the working directory (if any), overridden by the real environment. */
export function loadConfigFromEnvironment(envFile = '.env'): AppConfig {
  return loadConfig({ ...readEnvFile(envFile), ...process.env });
}
