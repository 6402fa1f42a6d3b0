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
}

export interface AppConfig {
  pepper: PepperConfig;
  crmcom: CrmComConfig;
  http: HttpConfig;
  loyalty: LoyaltyConfig;
  databasePath: string;
  /** postgres://… selects PostgreSQL (several instances may share it); null means SQLite at databasePath */
  databaseUrl: string | null;
  /** a writer lease without a heartbeat for this long may be taken over by another process */
  leaseTtlSeconds: number;
  adminApiToken: string;
  port: number;
  phoneDefaultRegion: string;
  syncConcurrency: number;
  /** the longest an event may wait (for a link, an echo, an opening balance, loyalty) before it is parked */
  maxWaitHours: number;
  /** how long after sending a write in doubt a read-back may prove it absent: a slow POST is not visible before */
  writeSettleSeconds: number;
  schedulerEnabled: boolean;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export const APP_CONFIG = Symbol('APP_CONFIG');
