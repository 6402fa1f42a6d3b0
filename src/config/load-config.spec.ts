import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigValidationError } from './config-error';
import { readEnvFile } from './env-file';
import { loadConfig } from './load-config';

const VALID = {
  PEPPER_AUTH_TOKEN: 'pepper-secret-token',
  PEPPER_APPLICATION_ID: 'merchant-1',
  CRMCOM_API_URL: 'https://sandbox.crm.com/backoffice/v2/',
  CRMCOM_API_KEY: 'crm-secret-key',
  ADMIN_API_TOKEN: 'a'.repeat(24),
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(VALID);
    expect(config.pepper.apiUrl).toBe('https://api.pepperhq.com');
    expect(config.pepper.apiVersion).toBe('12');
    expect(config.crmcom.apiUrl).toBe('https://sandbox.crm.com/backoffice/v2');
    expect(config.crmcom.currency).toBe('EUR');
    expect(config.crmcom.username).toBeNull();
    // An earning in Pepper on the wallet perk opens a conflict by default: an unrecognised echo is never paid twice.
    expect(config.loyalty).toMatchObject({ walletPerkId: null, pointsPerCurrencyUnit: 100, pepperWalletEarning: 'conflict', reconcileCron: '0 3 * * *' });
    expect(config.loyalty.orderMaxTotalMinor).toBe(50_000);
    expect(config.pepper).toMatchObject({ pollIntervalSeconds: 300, pollLagSeconds: 30, pollOverlapSeconds: 600, sweepHours: 24 });
    expect(config.crmcom).toMatchObject({ pollIntervalSeconds: 300, pollOverlapSeconds: 300, sweepHours: 48 });
    // The rate budgets and the seed's concurrency: README "Performance" says why these numbers.
    expect([config.pepper.maxRps, config.crmcom.maxRps, config.syncConcurrency]).toEqual([100, 400, 32]);
    expect(config.databasePath).toBe('./data/connector.sqlite');
    expect(config.leaseTtlSeconds).toBe(30);
    expect(config.port).toBe(3000);
    expect(config.phoneDefaultRegion).toBe('GB');
  });

  it('reads ORDER_MAX_TOTAL as an amount in major units and refuses a bad one, naming it', () => {
    expect(loadConfig({ ...VALID, ORDER_MAX_TOTAL: '1250.50' }).loyalty.orderMaxTotalMinor).toBe(125_050);
    for (const bad of ['0', '-5', 'lots', '1.234']) {
      expect(() => loadConfig({ ...VALID, ORDER_MAX_TOTAL: bad })).toThrow(/ORDER_MAX_TOTAL must be a positive amount/);
    }
  });

  it('DATABASE_URL selects Postgres; a bad one is named, its value (with the password) never printed', () => {
    expect(loadConfig(VALID).databaseUrl).toBeNull();
    const url = 'postgres://connector:s3cret-pw@db.internal:5432/loyalty';
    expect(loadConfig({ ...VALID, DATABASE_URL: url }).databaseUrl).toBe(url);
    expect(loadConfig({ ...VALID, DATABASE_URL: 'postgresql://db/loyalty' }).databaseUrl).toBe('postgresql://db/loyalty');
    for (const bad of ['mysql://u:s3cret-pw@db/x', 'postgres://u:s3cret-pw@db:5432', 'not a url s3cret-pw']) {
      const problems = problemsOf({ ...VALID, DATABASE_URL: bad });
      expect(problems).toEqual([expect.stringContaining('DATABASE_URL must be a postgres:// URL')]);
      expect(problems.join('\n')).not.toContain('s3cret-pw');
    }
  });

  it('names every missing required variable in one error', () => {
    const problems = problemsOf({});
    for (const name of ['PEPPER_AUTH_TOKEN', 'PEPPER_APPLICATION_ID', 'CRMCOM_API_URL', 'CRMCOM_API_KEY', 'ADMIN_API_TOKEN']) {
      expect(problems.some((p) => p.startsWith(name))).toBe(true);
    }
    expect(problems).toHaveLength(5);
  });

  it('names every invalid value, without echoing it', () => {
    const env = {
      ...VALID,
      ADMIN_API_TOKEN: 'short-secret',
      PORT: 'eighty',
      PEPPER_API_URL: 'ftp://x',
      POINTS_PER_CURRENCY_UNIT: '0',
      CRMCOM_CURRENCY: 'euro',
      PEPPER_WALLET_EARNING: 'maybe',
      PHONE_DEFAULT_REGION: 'XX',
      RECONCILE_CRON: 'every night',
      CRMCOM_USERNAME: 'ops@merchant.example',
      LOCATION_ORGANISATION_MAP: 'loc1',
      LEASE_TTL_SECONDS: '1',
    };
    const problems = problemsOf(env);
    const named = problems.map((p) => p.split(' ')[0]);
    expect(named).toEqual(
      expect.arrayContaining([
        'ADMIN_API_TOKEN',
        'PORT',
        'PEPPER_API_URL',
        'POINTS_PER_CURRENCY_UNIT',
        'CRMCOM_CURRENCY',
        'PEPPER_WALLET_EARNING',
        'PHONE_DEFAULT_REGION',
        'RECONCILE_CRON',
        'CRMCOM_USERNAME',
        'LOCATION_ORGANISATION_MAP',
        'LEASE_TTL_SECONDS',
      ]),
    );
    expect(problems.join('\n')).not.toContain('short-secret');
  });

  it('settles writes in doubt after WRITE_SETTLE_SECONDS, which must outlast HTTP_TIMEOUT_MS', () => {
    expect(loadConfig(VALID).writeSettleSeconds).toBe(120);
    expect(loadConfig({ ...VALID, HTTP_TIMEOUT_MS: '2000', WRITE_SETTLE_SECONDS: '3' }).writeSettleSeconds).toBe(3);
    expect(problemsOf({ ...VALID, HTTP_TIMEOUT_MS: '20000', WRITE_SETTLE_SECONDS: '20' })).toEqual([
      'WRITE_SETTLE_SECONDS must be longer than HTTP_TIMEOUT_MS (in seconds)',
    ]);
    expect(problemsOf({ ...VALID, WRITE_SETTLE_SECONDS: 'soon' })).toEqual([expect.stringMatching(/^WRITE_SETTLE_SECONDS must be a whole number/)]);
  });

  it('refuses a RECONCILE_CRON whose fields are out of range, naming the variable', () => {
    expect(problemsOf({ ...VALID, RECONCILE_CRON: '99 99 * * *' })).toEqual([expect.stringMatching(/^RECONCILE_CRON /)]);
    expect(problemsOf({ ...VALID, RECONCILE_CRON: '0 3 * *' })).toEqual([expect.stringMatching(/^RECONCILE_CRON /)]);
    expect(loadConfig({ ...VALID, RECONCILE_CRON: '0 0 3 * * MON-FRI' }).loyalty.reconcileCron).toBe('0 0 3 * * MON-FRI');
    expect(loadConfig({ ...VALID, RECONCILE_CRON: '*/15 2-4 * * *' }).loyalty.reconcileCron).toBe('*/15 2-4 * * *');
  });

  it('reads the location map in both forms', () => {
    expect(loadConfig({ ...VALID, LOCATION_ORGANISATION_MAP: 'l1=o1, l2=o2' }).loyalty.locationOrganisations).toEqual({ l1: 'o1', l2: 'o2' });
    expect(loadConfig({ ...VALID, LOCATION_ORGANISATION_MAP: '{"l1":"o1"}' }).loyalty.locationOrganisations).toEqual({ l1: 'o1' });
  });
});

describe('readEnvFile', () => {
  it('reads keys, quotes, comments and export prefixes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'envfile-'));
    const file = join(dir, '.env');
    writeFileSync(file, '# comment\nexport A=1\nB="two words"\nC=three # trailing\n\nbad line\n');
    expect(readEnvFile(file)).toEqual({ A: '1', B: 'two words', C: 'three' });
    expect(readEnvFile(join(dir, 'missing'))).toEqual({});
  });
});

describe('loadConfig: running it in production', () => {
  it('defaults: JSON logs, metrics behind the token, no webhook, 30 min stall, 30 days retention, 0.0.0.0, 1200/min, counts every 10 s', () => {
    const config = loadConfig(VALID);
    expect(config.host).toBe('0.0.0.0');
    expect(config.ops).toEqual({ logFormat: 'json', metricsPublic: false, alertWebhookUrl: null, alertFeedStallMinutes: 30, retentionDays: 30, adminRateLimitPerMinute: 1200, countsEverySeconds: 10 });
  });

  it('names every bad operations variable', () => {
    const problems = problemsOf({
      ...VALID,
      LOG_FORMAT: 'xml',
      METRICS_PUBLIC: 'maybe',
      ALERT_WEBHOOK_URL: 'not a url',
      ALERT_FEED_STALL_MINUTES: '0',
      RETENTION_DAYS: 'x',
      HOST: 'bad host!',
      ADMIN_RATE_LIMIT_PER_MINUTE: '0',
      OPS_COUNTS_SECONDS: '-1',
    }).join('\n');
    for (const name of ['LOG_FORMAT', 'METRICS_PUBLIC', 'ALERT_WEBHOOK_URL', 'ALERT_FEED_STALL_MINUTES', 'RETENTION_DAYS', 'HOST', 'ADMIN_RATE_LIMIT_PER_MINUTE', 'OPS_COUNTS_SECONDS']) {
      expect(problems).toContain(name);
    }
  });

  it('upstream URLs must be https, except on loopback addresses', () => {
    expect(problemsOf({ ...VALID, PEPPER_API_URL: 'http://api.pepperhq.com', CRMCOM_API_URL: 'http://sandbox.crm.com/v2' }).join('\n')).toMatch(
      /PEPPER_API_URL must be an https:\/\/ URL[\s\S]*CRMCOM_API_URL must be an https:\/\/ URL/,
    );
    for (const url of ['http://127.0.0.1:4010', 'http://127.8.9.10', 'http://localhost:3000', 'http://[::1]:8080', 'https://api.pepperhq.com']) {
      expect(problemsOf({ ...VALID, PEPPER_API_URL: url, CRMCOM_API_URL: url })).toEqual([]);
    }
    expect(problemsOf({ ...VALID, PEPPER_API_URL: 'http://127.0.0.1.evil.example' }).join()).toMatch(/PEPPER_API_URL/);
  });
});
