import type { CrmComSimulator } from '../../../packages/simulators/src/crmcom';
import type { PepperAction, PepperSimulator } from '../../../packages/simulators/src/pepper/pepper-simulator';
import { POLLED_ACTION_TYPES } from '../../../src/sync/actions-poller';
import type { Harness } from '../harness';
import { balanceMismatches, WALLET_PERK } from '../loyalty';
import { queryDb, sqliteDateMs, withDb, all } from './db';
import { actionsEmittedOverHttp } from './instrument';

/**
 * The properties that must hold whatever went wrong on the way, checked on both simulators' state and on the
 * connector's database (read-only, straight from the SQLite file). Each violation is one line starting with the
 * invariant's name in brackets, e.g. "[purchase-once] order ord-1 (act_000012, usr_000001): 2 purchases".
 *
 * Scope: the actions the connector is responsible for — visible in Pepper now, at or after the feed's start (the
 * first seed) and at or before the actions cursor. Actions after the cursor have not been polled yet.
 */
export const INVARIANTS = {
  purchaseOnce: 'purchase-once',
  purchaseDuplicate: 'purchase-duplicate',
  purchasePhantom: 'purchase-phantom',
  journalOnce: 'journal-once',
  journalDuplicate: 'journal-duplicate',
  echoMirrored: 'echo-mirrored',
  echoMisattributed: 'echo-misattributed',
  balance: 'balance',
  cursor: 'cursor',
  historyReplayed: 'history-replayed',
} as const;

export interface InvariantTarget {
  pepper: PepperSimulator;
  crm: CrmComSimulator;
  config: { databasePath: string; pepper: { applicationId: string }; crmcom: { currency: string } };
  /** used by balanceMismatches (GET /admin/links) */
  admin: Harness['admin'];
}

const SETTLED = new Set(['DONE', 'SKIPPED', 'WAITING_LINK', 'FAILED']);
const MOVEMENTS: Record<string, string | null> = {
  REDEEM_PERK: 'pointsRedeemed',
  AWARD_POINTS_REFUNDED: 'pointsRefunded',
  REWARD_EARNED: 'pointsAdded',
  AWARD_POINTS_RESET: null,
};

interface DbView {
  linkStatus: Map<string, string>;
  /** per user, when the opening balances were read: wallet movements at or before it are inside the opening balance */
  openingMs: Map<string, number>;
  cursorMs: number | null;
  feedStartMs: number | null;
  pepperEvents: Map<string, { state: string; lastError: string | null }>;
  /** Pepper actions the connector matched to its own grants/redeems */
  matchedEchoes: Set<string>;
  /** idempotency keys of movements worth less than one money unit (recorded, nothing sent) */
  zeroAmountKeys: Set<string>;
  /** action ids named by an OVERDRAWN conflict (a debit applied only as far as the wallet allowed) */
  overdrawnActions: Set<string>;
  walletPerkId: string;
}

async function readDb(databasePath: string): Promise<DbView> {
  return withDb(databasePath, async (db) => {
    const links = await all<{ pepperUserId: string; status: string; openingAt: string | null; linkedAt: string | null }>(
      db,
      'SELECT pepperUserId, status, openingAt, linkedAt FROM user_link',
    );
    const feeds = await all<{ feed: string; cursor: string | null; startedAt: string | null }>(db, 'SELECT feed, cursor, startedAt FROM sync_state');
    const events = await all<{ externalId: string; state: string; lastError: string | null }>(
      db,
      "SELECT externalId, state, lastError FROM inbound_event WHERE source = 'pepper'",
    );
    const echoes = await all<{ matchedActionId: string }>(
      db,
      "SELECT matchedActionId FROM outbound_write WHERE target = 'pepper' AND kind IN ('GRANT', 'REDEEM') AND matchedActionId IS NOT NULL",
    );
    const zero = await all<{ idempotencyKey: string }>(
      db,
      "SELECT idempotencyKey FROM outbound_write WHERE target = 'crmcom' AND kind = 'JOURNAL' AND amountMinor = 0 AND state = 'DONE'",
    );
    // Movements that send nothing by design: a debit cut short (OVERDRAWN), an earning in Pepper reported instead of
    // credited (UNEXPECTED_PEPPER_EARNING, the default), an echo of a given-up write (UNMATCHED_ECHO).
    const overdrawn = await all<{ details: string }>(
      db,
      "SELECT details FROM conflict WHERE kind IN ('OVERDRAWN', 'UNEXPECTED_PEPPER_EARNING', 'UNMATCHED_ECHO')",
    );
    const wallet = await all<{ perkId: string }>(db, 'SELECT perkId FROM perk WHERE isWalletPerk = 1').catch(() => []);
    const actionsFeed = feeds.find((f) => f.feed === 'pepper.actions');
    const journalsFeed = feeds.find((f) => f.feed === 'crmcom.journals');
    return {
      linkStatus: new Map(links.map((l) => [l.pepperUserId, l.status])),
      openingMs: new Map(
        links.flatMap((l) => {
          const ms = sqliteDateMs(l.openingAt) ?? sqliteDateMs(l.linkedAt);
          return ms === null ? [] : [[l.pepperUserId, ms] as [string, number]];
        }),
      ),
      cursorMs: actionsFeed?.cursor ? Date.parse(actionsFeed.cursor) : null,
      // The actions cursor and the journal feed both start when the first seed starts; only the journal feed keeps it.
      feedStartMs: sqliteDateMs(journalsFeed?.startedAt) ?? (journalsFeed?.cursor ? Date.parse(journalsFeed.cursor) : null),
      pepperEvents: new Map(events.map((e) => [e.externalId, { state: e.state, lastError: e.lastError }])),
      matchedEchoes: new Set(echoes.map((e) => e.matchedActionId)),
      zeroAmountKeys: new Set(zero.map((z) => z.idempotencyKey)),
      overdrawnActions: new Set(
        overdrawn.map((c) => {
          try {
            return String((JSON.parse(c.details) as { actionId?: unknown }).actionId ?? '');
          } catch {
            return '';
          }
        }),
      ),
      walletPerkId: wallet[0]?.perkId ?? WALLET_PERK,
    };
  });
}

/** Returns every violated invariant (empty when all hold). Call when the connector is quiescent (after settling). */
export async function checkInvariants(target: InvariantTarget): Promise<string[]> {
  const { pepper, crm, config } = target;
  const appId = config.pepper.applicationId;
  const view = await readDb(config.databasePath);
  const violations: string[] = [];

  const visible = new Set(pepper.searchActions({ time: {}, typesIn: [], typesNotIn: [], limit: Number.MAX_SAFE_INTEGER }).items.map((a) => a._id));
  const allActions = pepper.actions();
  const inScope = (action: PepperAction): boolean => {
    const ts = timestampOf(action);
    return (
      typeof action._id === 'string' &&
      visible.has(action._id) &&
      ts !== null &&
      view.feedStartMs !== null &&
      view.cursorMs !== null &&
      ts >= view.feedStartMs &&
      ts <= view.cursorMs
    );
  };
  const userOf = (action: PepperAction): string | null => {
    const id = (action.context as { user?: { _id?: unknown } } | undefined)?.user?._id;
    return typeof id === 'string' ? id : null;
  };
  const isLinked = (userId: string | null) => userId !== null && view.linkStatus.get(userId) === 'LINKED';

  // 1. Orders → exactly one purchase each, and never two for one reference.
  const orderPrefix = `pepper:${appId}:order:`;
  const purchasesByRef = countBy(
    crm.purchases().filter((p) => p.referenceNumber?.startsWith(orderPrefix)),
    (p) => p.referenceNumber as string,
  );
  for (const [reference, count] of purchasesByRef) {
    if (count > 1) violations.push(`[${INVARIANTS.purchaseDuplicate}] ${count} purchases carry the reference ${reference}`);
  }
  const orderIds = new Set<string>();
  for (const action of allActions) {
    if (action.type !== 'ORDER_COMPLETED') continue;
    const orderId = validOrderId(action, config.crmcom.currency);
    if (orderId === null) continue;
    orderIds.add(orderId);
    if (!inScope(action) || !isLinked(userOf(action))) continue;
    const count = purchasesByRef.get(`${orderPrefix}${orderId}`) ?? 0;
    if (count !== 1) {
      const event = view.pepperEvents.get(action._id);
      violations.push(
        `[${INVARIANTS.purchaseOnce}] order ${orderId} (${action._id}, ${userOf(action)}): ${count} purchases; event ${event ? `${event.state} ${event.lastError ?? ''}`.trim() : 'not recorded'}`,
      );
    }
  }
  for (const reference of purchasesByRef.keys()) {
    if (!orderIds.has(reference.slice(orderPrefix.length))) {
      violations.push(`[${INVARIANTS.purchasePhantom}] purchase ${reference} matches no readable ORDER_COMPLETED action`);
    }
  }

  // 2. Pepper movements on the wallet perk → exactly one journal each; the connector's own echoes → none.
  const actionPrefix = `pepper:${appId}:action:`;
  const journalsByRef = countBy(
    crm.journals().filter((j) => j.referenceNumber?.startsWith(actionPrefix)),
    (j) => j.referenceNumber as string,
  );
  for (const [reference, count] of journalsByRef) {
    if (count > 1) violations.push(`[${INVARIANTS.journalDuplicate}] ${count} journals carry the reference ${reference}`);
  }
  const overHttp = actionsEmittedOverHttp(pepper);
  const isEcho = (id: string) => (overHttp ? overHttp.has(id) : view.matchedEchoes.has(id));
  for (const action of allActions) {
    if (!(action.type in MOVEMENTS) || !validMovement(action) || action.metadata.perkId !== view.walletPerkId) continue;
    const reference = `${actionPrefix}${action._id}`;
    const count = journalsByRef.get(reference) ?? 0;
    if (isEcho(action._id)) {
      if (count > 0) violations.push(`[${INVARIANTS.echoMirrored}] the connector's own ${action.type} ${action._id} was mirrored back as ${count} journal(s)`);
      continue;
    }
    if (!inScope(action) || !isLinked(userOf(action))) continue;
    const openingMs = view.openingMs.get(userOf(action) as string);
    const ts = timestampOf(action);
    if (openingMs !== undefined && ts !== null && ts <= openingMs) {
      if (count > 0) violations.push(`[${INVARIANTS.historyReplayed}] ${action.type} ${action._id} is inside the opening balance of ${userOf(action)} but has ${count} journal(s)`);
      continue;
    }
    const nothingToSend = view.zeroAmountKeys.has(reference) || view.overdrawnActions.has(action._id);
    if (count === 1 || (count === 0 && nothingToSend)) continue;
    const event = view.pepperEvents.get(action._id);
    violations.push(
      `[${INVARIANTS.journalOnce}] ${action.type} ${action._id} (${userOf(action)}): ${count} journals; event ${event ? `${event.state} ${event.lastError ?? ''}`.trim() : 'not recorded'}`,
    );
  }
  for (const echo of view.matchedEchoes) {
    if ((journalsByRef.get(`${actionPrefix}${echo}`) ?? 0) > 0) {
      violations.push(`[${INVARIANTS.echoMirrored}] action ${echo}, matched to the connector's own write, has a journal`);
    }
    if (overHttp && !overHttp.has(echo)) {
      violations.push(`[${INVARIANTS.echoMisattributed}] action ${echo} was taken for the connector's own write but came from the merchant's app`);
    }
  }

  // 3. Every linked user's Pepper wallet award equals the CRM.COM wallet in points.
  for (const m of await balanceMismatches(target as unknown as Harness)) {
    violations.push(`[${INVARIANTS.balance}] ${m.userId}: Pepper ${m.pepper} points, wallet ${m.wallet} points`);
  }

  // 4. The actions cursor is never ahead of an action that was not taken in and settled.
  for (const action of allActions) {
    if (!POLLED_ACTION_TYPES.includes(action.type) || !inScope(action)) continue;
    const event = view.pepperEvents.get(action._id);
    if (!event || !SETTLED.has(event.state)) {
      violations.push(
        `[${INVARIANTS.cursor}] ${action.type} ${action._id} at ${action.when?.timestamp} is behind the cursor ${new Date(view.cursorMs as number).toISOString()} but ${event ? `is ${event.state}` : 'was never taken in'}`,
      );
    }
  }
  return violations;
}

/** Asserts that every invariant holds, showing the violations when not. */
export async function expectInvariants(target: InvariantTarget): Promise<void> {
  expect(await checkInvariants(target)).toEqual([]);
}

/** The violations of one invariant, for tests that break it on purpose. */
export function violationsOf(violations: string[], invariant: string): string[] {
  return violations.filter((v) => v.startsWith(`[${invariant}]`));
}

function timestampOf(action: PepperAction): number | null {
  const text = (action.when as { timestamp?: unknown } | undefined)?.timestamp;
  if (typeof text !== 'string') return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

function countBy<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

const AMOUNT = /^\d+(\.\d{1,2})?$/;
const isAmount = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 && AMOUNT.test(String(v))) || (typeof v === 'string' && AMOUNT.test(v.trim()));

/**
 * The order id of an ORDER_COMPLETED action in the shape documented beside the connector's mapper
 * (src/loyalty/rules/order-mapper.ts), or null when the action is not one a purchase may be made from. Written
 * independently of that mapper.
 */
export function validOrderId(action: PepperAction, currency: string): string | null {
  const m = action.metadata as Record<string, unknown> | undefined;
  if (!m || typeof m !== 'object') return null;
  const id = typeof m.orderId === 'string' ? m.orderId.trim() : Number.isSafeInteger(m.orderId) ? String(m.orderId) : '';
  if (id === '' || id.length > 100 || /[\u0000-\u001f\u007f]/.test(id)) return null;
  if (!isAmount(m.total)) return null;
  if (m.currency !== undefined && m.currency !== null && String(m.currency).toUpperCase() !== currency.toUpperCase()) return null;
  if (m.items !== undefined && m.items !== null) {
    if (!Array.isArray(m.items)) return null;
    for (const item of m.items as Array<Record<string, unknown>>) {
      if (!item || typeof item !== 'object' || typeof item.productId !== 'string' || !isAmount(item.price)) return null;
      if (typeof item.quantity !== 'number' || !(item.quantity > 0)) return null;
    }
  }
  return id;
}

function validMovement(action: PepperAction): boolean {
  const m = action.metadata as Record<string, unknown> | undefined;
  if (!m || typeof m !== 'object') return false;
  const isPoints = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  const field = MOVEMENTS[action.type];
  return typeof m.awardId === 'string' && typeof m.perkId === 'string' && isPoints(m.pointsAvailable) && (field === null || isPoints(m[field]));
}

export { queryDb };
