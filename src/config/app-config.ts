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
  /** where alerts are posted (Slack-compatible JSON); null: alerts are stored and listed only */
  alertWebhookUrl: string | null;
  /** a feed whose cursor has not moved for this long is stalled: alert, and not ready */
  alertFeedStallMinutes: number;
  /** settled events and runs older than this (beyond the sweep windows) are pruned */
  retentionDays: number;
  /** requests per minute per client address on /admin/* */
  adminRateLimitPerMinute: number;
}

export interface AppConfig {
  pepper: PepperConfig;
  crmcom: CrmComConfig;
  http: HttpConfig;
  loyalty: LoyaltyConfig;
  databasePath: string;
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
  /** the longest an event may wait (for a link, an echo, an opening balance, loyalty) before it is parked */
  maxWaitHours: number;
  /** how long after sending a write in doubt a read-back may prove it absent: a slow POST is not visible before */
  writeSettleSeconds: number;
  schedulerEnabled: boolean;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export const APP_CONFIG = Symbol('APP_CONFIG');
