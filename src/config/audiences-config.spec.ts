import { ConfigValidationError } from './config-error';
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
    loadConfig({ ...VALID, ...env });
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig: segments, notifications, products', () => {
  it('applies the documented defaults (segments, webhooks and products off)', () => {
    const config = loadConfig(VALID);
    expect(config.audiences).toMatchObject({ segmentSources: [], segmentMaxRemovalPercent: 20, segmentRecreateDeleted: true, webhookSecret: null });
    expect(config.audiences.webhookFields).toEqual({
      eventId: '/eventId', contactId: '/contactId', contactCode: '/contactCode', title: '/title', message: '/message', serviceMessage: '/serviceMessage',
    });
    expect(config.products).toEqual({ api: 'v5', locations: [], menuApiUrl: 'https://menu.pepperhq.com' });
  });

  it('reads SEGMENT_MAP, CRMCOM_WEBHOOK_FIELDS and PRODUCT_LOCATIONS', () => {
    const config = loadConfig({
      ...VALID,
      SEGMENT_MAP: 'tier:gold=Gold members, segment:seg-1=Lapsed ,tag:vip=VIP',
      CRMCOM_WEBHOOK_FIELDS: 'eventId=/event/id,contactId=/contact/id',
      CRMCOM_WEBHOOK_SECRET: 's'.repeat(16),
      PRODUCT_LOCATIONS: 'loc-1, loc-2',
      CRMCOM_PRODUCT_API: 'legacy',
    });
    expect(config.audiences.segmentSources).toEqual([
      { source: 'tier:gold', kind: 'tier', externalId: 'gold', name: 'Gold members' },
      { source: 'segment:seg-1', kind: 'segment', externalId: 'seg-1', name: 'Lapsed' },
      { source: 'tag:vip', kind: 'tag', externalId: 'vip', name: 'VIP' },
    ]);
    expect(config.audiences.webhookFields).toMatchObject({ eventId: '/event/id', contactId: '/contact/id', message: '/message' });
    expect(config.products).toMatchObject({ api: 'legacy', locations: ['loc-1', 'loc-2'] });
  });

  it('names every bad new variable at once', () => {
    const problems = problemsOf({
      SEGMENT_MAP: 'club:1=Club',
      SEGMENT_MAX_REMOVAL_PERCENT: '120',
      CRMCOM_WEBHOOK_SECRET: 'short',
      CRMCOM_WEBHOOK_FIELDS: 'colour=/x',
      CRMCOM_PRODUCT_API: 'v6',
      PRODUCT_LOCATIONS: 'loc 1',
      PEPPER_MENU_API_URL: 'ftp://menu',
    });
    for (const name of ['SEGMENT_MAP', 'SEGMENT_MAX_REMOVAL_PERCENT', 'CRMCOM_WEBHOOK_SECRET', 'CRMCOM_WEBHOOK_FIELDS', 'CRMCOM_PRODUCT_API', 'PRODUCT_LOCATIONS', 'PEPPER_MENU_API_URL']) {
      expect(problems.some((p) => p.startsWith(name))).toBe(true);
    }
  });

  it('refuses a source listed twice', () => {
    expect(problemsOf({ SEGMENT_MAP: 'tier:gold=Gold,tier:gold=Again' }).some((p) => p.startsWith('SEGMENT_MAP'))).toBe(true);
  });
});
