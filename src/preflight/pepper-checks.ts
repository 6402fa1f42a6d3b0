import { ORDER_COMPLETED, mapOrderToPurchase } from '../loyalty/rules/order-mapper';
import { chooseWalletPerk } from '../loyalty/rules/wallet-perk';
import type { PerkEntity } from '../persistence/entities';
import type { PepperAction } from '../pepper/pepper.types';
import { isRecord } from '../upstream/json-shape';
import { Outcome } from './preflight.types';
import { PreflightSession, plural, rawPepperList } from './preflight-session';

/** Credentials and API version: `GET /users?limit=1&include=credentials` answers the v4+ user resource (`id`). */
export async function pepperCredentials(s: PreflightSession): Promise<Outcome> {
  const { pepper } = s.deps.config;
  const { items } = await rawPepperList(s.deps.pepperRaw, '/users', { limit: 1, include: 'credentials' });
  const accepted = `token and x-application-id ${pepper.applicationId} accepted at x-api-version ${pepper.apiVersion}`;
  const user = items[0];
  if (user === undefined) return { verdict: 'PASS', seen: `${accepted}; no users yet, so the resource version is unchecked` };
  if (isRecord(user) && typeof user.id === 'string') return { verdict: 'PASS', seen: `${accepted}; users carry "id" (the v4+ resource)` };
  if (isRecord(user) && typeof user._id === 'string') {
    return {
      verdict: 'WARN',
      seen: `${accepted}, but users carry "_id" only: the legacy resource`,
      fix: 'raise PEPPER_API_VERSION (12 is the documented highest); the connector reads "_id" but the legacy resource may lack fields',
    };
  }
  return { verdict: 'FAIL', seen: `${accepted}, but a user has neither "id" nor "_id"`, fix: 'check PEPPER_API_URL points at the Platform API (api.pepperhq.com)' };
}

/** `page` on Pepper lists: users (the seed stops at a page without one) and actions (read on by narrowing the window). */
export async function pepperPaging(s: PreflightSession): Promise<Outcome> {
  const users = await rawPepperList(s.deps.pepperRaw, '/users', { limit: 1 });
  const now = s.deps.clock.now();
  const actions = await rawPepperList(s.deps.pepperRaw, '/actions', {
    'when.timestamp.gt': new Date(now.getTime() - 30 * 86_400_000).toISOString(),
    'when.timestamp.lte': now.toISOString(),
    limit: 1,
  });
  const usersSeen = users.page ? `users: page${users.page.nextKey ? '.nextKey' : ''}` : 'users: no "page"';
  const actionsSeen = actions.page ? `actions: page${actions.page.nextKey ? '.nextKey' : ''}` : 'actions: no "page"';
  const seen = `${usersSeen}; ${actionsSeen} (limit=1)`;
  if (!users.page && users.items.length > 0) {
    return {
      verdict: 'FAIL',
      seen,
      fix: 'the users seed takes a list without "page" for the last page and would link only the first page of users: report to Pepper / adapt pepper.client.ts',
    };
  }
  if (!actions.page && actions.items.length > 0) {
    return { verdict: 'WARN', seen, fix: 'none needed: without "page" the actions feed reads on by closing the window at the oldest action seen (more calls)' };
  }
  return { verdict: 'PASS', seen };
}

/** The perk catalogue and the wallet perk, chosen as the connector chooses it (chooseWalletPerk). */
export async function pepperWalletPerk(s: PreflightSession): Promise<Outcome> {
  const perks: PerkEntity[] = [];
  const invalid: string[] = [];
  for await (const page of s.deps.pepper.perksPages()) {
    for (const perk of page.items) {
      perks.push({ perkId: perk.id, template: perk.template, title: perk.title, enabled: perk.enabled, isWalletPerk: false, updatedAt: new Date(0) });
    }
    invalid.push(...page.invalid.map((item) => `${item.externalId ?? '?'}: ${item.reason}`));
  }
  const pseudo = perks.filter((p) => p.template === 'PSEUDO_CURRENCY');
  const catalogue = `${plural(perks.length, 'perk')}, ${pseudo.length} PSEUDO_CURRENCY (${pseudo.filter((p) => p.enabled).length} enabled)`;
  const unreadable = invalid.length > 0 ? `; ${plural(invalid.length, 'unreadable perk')} (${invalid.slice(0, 2).join('; ')})` : '';
  const configured = s.deps.config.loyalty.walletPerkId;
  const choice = chooseWalletPerk(perks, configured);
  if ('reason' in choice) {
    return { verdict: 'FAIL', seen: `${catalogue}${unreadable}; ${choice.reason}`, fix: 'loyalty sync stays off until this is fixed: set WALLET_PERK_ID, or enable exactly one PSEUDO_CURRENCY perk' };
  }
  const how = configured ? 'WALLET_PERK_ID' : 'the one enabled PSEUDO_CURRENCY perk';
  return {
    verdict: invalid.length > 0 ? 'WARN' : 'PASS',
    seen: `${catalogue}${unreadable}; wallet perk ${choice.perk.perkId} "${choice.perk.title}" (${how})`,
    fix: invalid.length > 0 ? 'unreadable perks are left out of the catalogue; check them in Pepper' : '',
  };
}

/** The metadata of the latest ORDER_COMPLETED actions reads with the order mapper (the assumed shape). */
export async function pepperOrderMetadata(s: PreflightSession, lookbackDays: number, sample: number): Promise<Outcome> {
  const { config, clock } = s.deps;
  const now = clock.now();
  const window = { gt: new Date(now.getTime() - lookbackDays * 86_400_000).toISOString(), lte: now.toISOString(), types: [ORDER_COMPLETED], pageSize: sample };
  const actions: PepperAction[] = [];
  const reasons = new Map<string, number>();
  const note = (reason: string): void => {
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  };
  let unreadable = 0;
  for await (const page of s.deps.pepper.actionsPages(window)) {
    actions.push(...page.items);
    for (const item of page.invalid) {
      unreadable += 1;
      note(`action unreadable: ${item.reason}`);
    }
    break; // the newest page is the sample
  }
  let readable = 0;
  for (const action of actions) {
    const mapped = mapOrderToPurchase(action, {
      applicationId: config.pepper.applicationId,
      currency: config.crmcom.currency,
      contactId: 'preflight',
      locationOrganisations: config.loyalty.locationOrganisations,
      maxTotalMinor: config.loyalty.orderMaxTotalMinor,
    });
    if (mapped.ok) readable += 1;
    else {
      unreadable += 1;
      note(mapped.reason);
    }
  }
  if (readable + unreadable === 0) {
    return {
      verdict: 'WARN',
      seen: `no ORDER_COMPLETED action in the last ${plural(lookbackDays, 'day')}`,
      fix: 'place a test order in the Pepper app and run preflight again: the order metadata shape is a guess until one is read',
    };
  }
  const top = [...reasons.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([reason, n]) => `${n}× ${reason}`);
  const seen = `latest ${readable + unreadable}: ${readable} readable, ${unreadable} unreadable${top.length > 0 ? ` (${top.join('; ')})` : ''}`;
  if (unreadable === 0) return { verdict: 'PASS', seen };
  return {
    verdict: 'FAIL',
    seen,
    fix: 'these orders would be parked, not purchased: adapt the metadata reading in src/loyalty/rules/order-mapper.ts (or ORDER_MAX_TOTAL / CRMCOM_CURRENCY if those are the reasons)',
  };
}
