/**
 * What the connector does once its seed is DONE, measured on the simulators (no connector internals):
 *  - latencies: a steady stream of Pepper orders (time until each one's purchase exists in CRM.COM) and of CRM.COM
 *    journals (time until the user's Pepper wallet award shows the movement);
 *  - a window: a burst of Pepper actions (orders, redemptions, profile changes) all timestamped inside one poll window,
 *    and the time until every one of them has had its effect in CRM.COM.
 * Every wait is bounded; `ensureAlive` throws as soon as the connector has exited.
 */
import { performance } from 'node:perf_hooks';
import type { CrmComSimulator } from '../packages/simulators/src/crmcom';
import type { PepperSimulator } from '../packages/simulators/src/pepper/pepper-simulator';
import { userId, WALLET_PERK } from './population';

export interface LiveContext {
  pepper: PepperSimulator;
  crm: CrmComSimulator;
  /** bench users linked to a contact that holds a wallet (from the CRM.COM simulator's state) */
  linked: Array<{ i: number; contactId: string }>;
  /** POINTS_PER_CURRENCY_UNIT in force for the connector */
  pointsPerUnit: number;
  ensureAlive(): void;
  log(line: string): void;
}

export interface LatencyStats {
  sent: number;
  arrived: number;
  /** not arrived within the timeout */
  missing: number;
  p50: number | null;
  p95: number | null;
  max: number | null;
  mean: number | null;
}

export interface LatencyResult {
  streamSeconds: number;
  timeoutSeconds: number;
  orderToPurchase: LatencyStats;
  journalToPepper: LatencyStats & { spends: number; awards: number; changedOtherwise: number };
  /** seconds, sorted, for the JSON */
  samples: { orderToPurchase: number[]; journalToPepper: number[] };
}

export interface WindowResult {
  actions: number;
  orders: number;
  redemptions: number;
  profileChanges: number;
  /** how long the injection took: every action's timestamp lies inside this span */
  injectSeconds: number;
  processed: number;
  complete: boolean;
  /** from the first injected action to the last effect seen (or to the timeout) */
  seconds: number;
  actionsPerSecond: number;
  timeoutSeconds: number;
  orderToPurchase: LatencyStats;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const yieldToIo = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function stats(samples: number[], sent: number): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    sent,
    arrived: sorted.length,
    missing: sent - sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted.length ? sorted[sorted.length - 1] : null,
    mean: sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : null,
  };
}

const majorText = (minor: number): string => `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;

/** The Pepper wallet-award points of users, looked up by award id (an index of award ids refreshed at most every 500 ms). */
class WalletPoints {
  private readonly awardOf = new Map<string, string>();
  private refreshedAt = 0;

  constructor(private readonly pepper: PepperSimulator) {
    this.refresh();
  }

  points(user: string): number {
    let awardId = this.awardOf.get(user);
    if (awardId === undefined && performance.now() - this.refreshedAt > 500) {
      this.refresh();
      awardId = this.awardOf.get(user);
    }
    return awardId === undefined ? 0 : (this.pepper.getAward(awardId)?.points.available ?? 0);
  }

  awardId(user: string): string | undefined {
    return this.awardOf.get(user);
  }

  private refresh(): void {
    for (const award of this.pepper.awards()) if (award.perkId === WALLET_PERK) this.awardOf.set(award.userId, award._id);
    this.refreshedAt = performance.now();
  }
}

const ORDER_ITEMS = [
  { productId: 'latte', title: 'Latte', quantity: 2, price: '3.75' },
  { productId: 'bun', title: 'Bun', quantity: 1, price: '5.00' },
];

/**
 * Orders and journals at a steady rate over `streamSeconds`, both streams at once; then waits (at most `timeoutSeconds`
 * after the last one was sent) for every one to arrive. Each journal goes to a different user, so the Pepper balance it
 * should produce is known.
 */
export async function measureLatencies(
  ctx: LiveContext,
  options: { orders: number; journals: number; streamSeconds: number; timeoutSeconds: number },
): Promise<LatencyResult> {
  const { pepper, crm, linked } = ctx;
  if (linked.length === 0) throw new Error('no bench user is linked to a contact with a wallet: nothing to measure latencies on');
  const journals = Math.min(options.journals, linked.length);
  if (journals < options.journals) ctx.log(`  only ${linked.length} linked users: ${journals} journals instead of ${options.journals}`);
  const wallet = new WalletPoints(pepper);
  let purchaseCursor = crm.purchases().length;

  const orderSentAt: number[] = [];
  const orderArrived = new Map<number, number>();
  interface PendingJournal {
    user: string;
    sentAt: number;
    before: number;
    expected: number | null;
  }
  const pendingJournals = new Map<number, PendingJournal>();
  const journalLatency: number[] = [];
  let spends = 0;
  let changedOtherwise = 0;
  // Different users for the two streams where there are enough: the journal users' balances move only by the journal.
  const journalUsers = linked.slice(-journals).reverse();
  const orderUsers = linked.length > 2 * journals ? linked.slice(0, linked.length - journals) : linked;

  const streamMs = options.streamSeconds * 1000;
  const start = performance.now();
  let nextOrder = 0;
  let nextJournal = 0;
  let sentAll: number | null = null;
  const deadline = (): number => (sentAll === null ? Number.POSITIVE_INFINITY : sentAll + options.timeoutSeconds * 1000);
  let lastLog = start;

  for (;;) {
    ctx.ensureAlive();
    const elapsed = performance.now() - start;
    while (nextOrder < options.orders && (nextOrder * streamMs) / options.orders <= elapsed) {
      const target = orderUsers[(nextOrder * 7) % orderUsers.length];
      pepper.completeOrder(userId(target.i), { orderId: `bench-lat-${nextOrder}`, total: '12.50', items: ORDER_ITEMS });
      orderSentAt.push(performance.now());
      nextOrder++;
    }
    while (nextJournal < journals && (nextJournal * streamMs) / journals <= elapsed) {
      const target = journalUsers[nextJournal];
      const user = userId(target.i);
      const before = wallet.points(user);
      let minor = 100 + (nextJournal % 100);
      let sign = 1;
      if (nextJournal % 4 === 3 && crm.walletBalanceMinor(target.contactId) >= 25) {
        minor = 25;
        sign = -1;
        crm.posSpend(target.contactId, majorText(minor));
        spends++;
      } else {
        crm.posAward(target.contactId, majorText(minor));
      }
      const points = (minor * ctx.pointsPerUnit) / 100;
      pendingJournals.set(nextJournal, { user, sentAt: performance.now(), before, expected: Number.isInteger(points) ? before + sign * points : null });
      nextJournal++;
    }
    if (sentAll === null && nextOrder >= options.orders && nextJournal >= journals) sentAll = performance.now();

    // Arrivals: the purchases created since the last look, and each pending user's Pepper balance.
    const fresh = crm.purchasesAfter(purchaseCursor);
    purchaseCursor += fresh.length;
    const seenAt = performance.now();
    for (const purchase of fresh) {
      const match = /bench-lat-(\d+)(?!\d)/.exec(`${purchase.referenceNumber} ${purchase.notes ?? ''}`);
      if (!match) continue;
      const j = Number(match[1]);
      if (j < orderSentAt.length && !orderArrived.has(j)) orderArrived.set(j, (seenAt - orderSentAt[j]) / 1000);
    }
    for (const [j, pending] of pendingJournals) {
      const now = wallet.points(pending.user);
      if (now === pending.before) continue;
      if (pending.expected !== null && now !== pending.expected) continue; // not (yet) the movement: keep waiting
      journalLatency.push((performance.now() - pending.sentAt) / 1000);
      pendingJournals.delete(j);
    }

    const ordersPending = options.orders - orderArrived.size;
    if (sentAll !== null && ordersPending === 0 && pendingJournals.size === 0) break;
    if (performance.now() > deadline()) break;
    if (performance.now() - lastLog > 10_000) {
      lastLog = performance.now();
      ctx.log(`  latencies: ${orderArrived.size}/${nextOrder} purchases, ${journalLatency.length}/${nextJournal} Pepper movements`);
    }
    await sleep(50);
  }
  for (const pending of pendingJournals.values()) if (wallet.points(pending.user) !== pending.before) changedOtherwise++;
  const orderSamples = [...orderArrived.values()].sort((a, b) => a - b);
  const journalSamples = [...journalLatency].sort((a, b) => a - b);
  return {
    streamSeconds: options.streamSeconds,
    timeoutSeconds: options.timeoutSeconds,
    orderToPurchase: stats(orderSamples, options.orders),
    journalToPepper: { ...stats(journalSamples, journals), spends, awards: journals - spends, changedOtherwise },
    samples: { orderToPurchase: orderSamples, journalToPepper: journalSamples },
  };
}

/**
 * `actions` Pepper actions injected at once (their timestamps all inside one poll window): 85 % orders for linked
 * users, 10 % wallet redemptions (5 points, by users who hold them), 5 % profile changes (a new last name). Done when
 * every order has its purchase, every redemption its DEBIT journal on the user's contact, every profile change reached
 * the contact; bounded by `timeoutSeconds`.
 */
export async function measureWindow(ctx: LiveContext, options: { actions: number; timeoutSeconds: number }): Promise<WindowResult> {
  const { pepper, crm, linked } = ctx;
  if (linked.length === 0) throw new Error('no bench user is linked to a contact with a wallet: no window to run');
  let purchaseCursor = crm.purchases().length;
  let journalCursor = crm.journals().length;
  const wallet = new WalletPoints(pepper);
  const REDEEM = 5;
  // Who can redeem, and how often: their Pepper wallet points in steps of REDEEM (the wallet mirrors them).
  const redeemers = linked
    .map((l) => ({ ...l, user: userId(l.i), budget: Math.floor(wallet.points(userId(l.i)) / REDEEM) }))
    .filter((r) => r.budget > 0 && wallet.awardId(r.user) !== undefined);
  let redeemerAt = 0;
  const redeem = (redeemer: (typeof redeemers)[number]): boolean => {
    redeemer.budget--;
    try {
      pepper.redeemAward(redeemer.user, wallet.awardId(redeemer.user) as string, REDEEM);
    } catch {
      redeemer.budget = 0; // the balance moved meanwhile: an order instead
      return false;
    }
    debitsPending.set(redeemer.contactId, (debitsPending.get(redeemer.contactId) ?? 0) + 1);
    redemptions++;
    return true;
  };

  const orderSentAt = new Map<number, number>();
  const orderLatency: number[] = [];
  const debitsPending = new Map<string, number>(); // contact id → DEBIT journals still to come
  const lastNamePending = new Map<string, { lastName: string; changes: number }>(); // contact id → its last name to come
  let redemptions = 0;
  let profileChanges = 0;

  const start = performance.now();
  for (let k = 0; k < options.actions; k++) {
    if (k % 500 === 0 && k > 0) await yieldToIo();
    const slot = k % 20;
    if (slot === 19) {
      const target = linked[(k * 13) % linked.length];
      const lastName = `Window${k}`;
      pepper.updateUser(userId(target.i), { lastName });
      lastNamePending.set(target.contactId, { lastName, changes: (lastNamePending.get(target.contactId)?.changes ?? 0) + 1 });
      profileChanges++;
      continue;
    }
    if (slot >= 17 && redeemers.length > 0) {
      let redeemer: (typeof redeemers)[number] | undefined;
      for (let tries = 0; tries < redeemers.length && !redeemer; tries++) {
        const candidate = redeemers[redeemerAt++ % redeemers.length];
        if (candidate.budget > 0) redeemer = candidate;
      }
      if (redeemer && redeem(redeemer)) continue;
    }
    const target = linked[(k * 7) % linked.length];
    pepper.completeOrder(userId(target.i), { orderId: `bench-win-${k}`, total: '12.50', items: ORDER_ITEMS });
    orderSentAt.set(k, performance.now());
  }
  const injectSeconds = (performance.now() - start) / 1000;
  const orders = orderSentAt.size;
  ctx.log(`  window: ${options.actions} actions injected in ${injectSeconds.toFixed(2)} s (${orders} orders, ${redemptions} redemptions, ${profileChanges} profile changes)`);

  const deadline = start + options.timeoutSeconds * 1000;
  let lastEffect = start;
  let debitsSeen = 0;
  let profilesSeen = 0;
  let lastLog = performance.now();
  const processed = (): number => orderLatency.length + debitsSeen + profilesSeen;
  for (;;) {
    ctx.ensureAlive();
    const now = performance.now();
    const purchases = crm.purchasesAfter(purchaseCursor);
    purchaseCursor += purchases.length;
    for (const purchase of purchases) {
      const match = /bench-win-(\d+)(?!\d)/.exec(`${purchase.referenceNumber} ${purchase.notes ?? ''}`);
      const k = match ? Number(match[1]) : -1;
      const sentAt = orderSentAt.get(k);
      if (sentAt === undefined) continue;
      orderSentAt.delete(k);
      orderLatency.push((now - sentAt) / 1000);
      lastEffect = now;
    }
    const journals = crm.journalsAfter(journalCursor);
    journalCursor += journals.length;
    for (const journal of journals) {
      const waiting = debitsPending.get(journal.contactId);
      if (journal.type !== 'DEBIT' || waiting === undefined) continue;
      if (waiting <= 1) debitsPending.delete(journal.contactId);
      else debitsPending.set(journal.contactId, waiting - 1);
      debitsSeen++;
      lastEffect = now;
    }
    for (const [contactId, pending] of lastNamePending) {
      if (crm.getContact(contactId)?.lastName !== pending.lastName) continue;
      lastNamePending.delete(contactId);
      profilesSeen += pending.changes; // a contact changed twice is done when the last name reached it
      lastEffect = now;
    }
    const complete = orderSentAt.size === 0 && debitsPending.size === 0 && lastNamePending.size === 0;
    if (complete || now > deadline) {
      const seconds = ((complete ? lastEffect : now) - start) / 1000;
      const done = processed();
      return {
        actions: options.actions,
        orders,
        redemptions,
        profileChanges,
        injectSeconds,
        processed: done,
        complete,
        seconds,
        actionsPerSecond: seconds > 0 ? done / seconds : 0,
        timeoutSeconds: options.timeoutSeconds,
        orderToPurchase: stats(orderLatency, orders),
      };
    }
    if (now - lastLog > 10_000) {
      lastLog = now;
      ctx.log(
        `  window: ${orderLatency.length}/${orders} purchases, ${debitsSeen}/${redemptions} debits, ` +
          `${profilesSeen}/${profileChanges} profiles after ${((now - start) / 1000).toFixed(0)} s`,
      );
    }
    await sleep(250);
  }
}
