/** The typed, validated configuration. Built once at boot by `loadConfig`; nothing else reads process.env. */
export interface PepperConfig {
  apiUrl: string;
  authToken: string;
  applicationId: string;
  apiVersion: string;
  pageSize: number;
  pollIntervalSeconds: number;
  pollLagSeconds: number;
  pollOverlapSeconds: number;
  sweepHours: number;
  /** PEPPER_MAX_RPS: the rate budget (token bucket) every call and retry passes; absent = unlimited */
  maxRps?: number;
}

export interface CrmComConfig {
  apiUrl: string;
  apiKey: string;
  username: string | null;
  password: string | null;
  pageSize: number;
  maxPages: number;
  currency: string;
  pollIntervalSeconds: number;
  pollOverlapSeconds: number;
  sweepHours: number;
  /** CRMCOM_MAX_RPS: the rate budget (token bucket) every call and retry passes; absent = unlimited */
  maxRps?: number;
}

export interface HttpConfig {
  timeoutMs: number;
  maxRetries: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export interface LoyaltyConfig {
  walletPerkId: string | null;
  pointsPerCurrencyUnit: number;
  pepperWalletEarning: 'credit' | 'conflict';
  reconcileCron: string;
  /** the scheduled reconciliation also fixes drift (otherwise it only reports) */
  reconcileFix: boolean;
  locationOrganisations: Record<string, string>;
  /** ORDER_MAX_TOTAL in minor units: a larger order total is parked for review */
  orderMaxTotalMinor: number;
}

/** Running it in production: logs, metrics, alerts, retention, the admin API's limits. */
export interface OpsConfig {
  /** `json`: one object per line; `pretty`: pino-pretty text (the demo) */
  logFormat: 'json' | 'pretty';
  /** serve GET /metrics without the admin token */
  metricsPublic: boolean;
  /** OPS_COUNTS_SECONDS: the totals of /admin/status and the counting gauges of /metrics are counted at most this often */
  countsEverySeconds: number;
  /** where alerts are posted (Slack-compatible JSON); null: alerts are stored and listed only */
  alertWebhookUrl: string | null;
  /** a feed whose cursor has not moved for this long is stalled: alert, and not ready */
  alertFeedStallMinutes: number;
  /** settled events and runs older than this (beyond the sweep windows) are pruned */
  retentionDays: number;
  /** requests per minute per client address on /admin/* */
  adminRateLimitPerMinute: number;
}

export type SegmentSourceKind = 'segment' | 'tier' | 'tag';

/** One CRM.COM audience mirrored as a Pepper segment: `kind:id=Name` in SEGMENT_MAP. */
export interface SegmentSourceConfig {
  /** `kind:id`, the source's key everywhere (admin routes, conflicts) */
  source: string;
  kind: SegmentSourceKind;
  externalId: string;
  name: string;
}

export const WEBHOOK_FIELDS = ['eventId', 'contactId', 'contactCode', 'title', 'message', 'serviceMessage'] as const;
export type WebhookField = (typeof WEBHOOK_FIELDS)[number];

/** Segments and app notifications, CRM.COM → Pepper (design §9). */
export interface AudiencesConfig {
  segmentSources: SegmentSourceConfig[];
  /** a run whose removals exceed this share of the mirror's Pepper members applies nothing */
  segmentMaxRemovalPercent: number;
  /** a mirrored segment deleted in Pepper by hand is recreated (true) or only reported */
  segmentRecreateDeleted: boolean;
  /** null: webhooks are off (404) */
  webhookSecret: string | null;
  /** where each webhook field is read from, as a JSON pointer */
  webhookFields: Record<WebhookField, string>;
  notificationPollSeconds: number;
}

/** Products, Pepper menus → CRM.COM (design §9). */
export interface ProductsConfig {
  api: 'v5' | 'legacy';
  /** empty: products are off */
  locations: string[];
  menuApiUrl: string;
}

export interface AppConfig {
  pepper: PepperConfig;
  crmcom: CrmComConfig;
  http: HttpConfig;
  loyalty: LoyaltyConfig;
  audiences: AudiencesConfig;
  products: ProductsConfig;
  databasePath: string;
  /** postgres://… selects PostgreSQL (several instances may share it); null means SQLite at databasePath */
  databaseUrl: string | null;
  /** a writer lease without a heartbeat for this long may be taken over by another process */
  leaseTtlSeconds: number;
  adminApiToken: string;
  port: number;
  /** address the HTTP server binds */
  host: string;
  ops: OpsConfig;
  phoneDefaultRegion: string;
  syncConcurrency: number;
  /** live, or shadow: read both sides, write nothing upstream, record every intended write */
  syncMode: 'live' | 'shadow';
  /** a user's lock held longer than this is logged and handed to the next waiter (0: never) */
  lockWatchdogSeconds: number;
  /** a job run longer than this is logged, told to stop and gives its slot up (0: never) */
  jobWatchdogMinutes: number;
  /** the longest an event may wait (for a link, an echo, an opening balance, loyalty) before it is parked */
  maxWaitHours: number;
  /** how long after sending a write in doubt a read-back may prove it absent: a slow POST is not visible before */
  writeSettleSeconds: number;
  schedulerEnabled: boolean;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export const APP_CONFIG = Symbol('APP_CONFIG');
