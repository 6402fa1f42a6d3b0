import { SyncJobs } from '../../src/sync/sync-jobs';
import type { Harness } from './harness';

export const WALLET_PERK = 'perk-wallet';
export const RATE = 100; // points per 1.00

/** Env for loyalty e2e runs: no lag, a short overlap so Pepper writes in doubt settle quickly. */
export const LOYALTY_ENV = {
  PEPPER_POLL_LAG_SECONDS: '0',
  PEPPER_POLL_OVERLAP_SECONDS: '2',
  CRMCOM_POLL_OVERLAP_SECONDS: '5',
  POINTS_PER_CURRENCY_UNIT: String(RATE),
};

/** Runs both feeds until nothing new comes in (an action can cause a journal that causes an action…). */
export async function settle(h: Harness, rounds = 4): Promise<void> {
  const jobs = h.app.get(SyncJobs);
  await h.idle();
  for (let i = 0; i < rounds; i++) {
    await (await jobs.startActionsPoll('ADMIN')).done;
    await (await jobs.startJournalsPoll('ADMIN')).done;
  }
}

/** The Pepper wallet award of a user, 0 when they hold none. */
export function pepperPoints(h: Harness, userId: string): number {
  return h.pepper.awardsOf(userId).find((a) => a.perkId === WALLET_PERK)?.points.available ?? 0;
}

/** For every linked user: the Pepper award equals the CRM.COM wallet in points. Returns the mismatches. */
export async function balanceMismatches(h: Harness): Promise<Array<{ userId: string; pepper: number; wallet: number }>> {
  const { body } = await h.admin.get('/admin/links?status=LINKED&limit=500').expect(200);
  const mismatches = [];
  for (const link of body.items as Array<{ pepperUserId: string; crmContactId: string }>) {
    const wallet = Math.trunc((h.crm.walletBalanceMinor(link.crmContactId) * RATE) / 100);
    const pepper = pepperPoints(h, link.pepperUserId);
    if (wallet !== pepper) mismatches.push({ userId: link.pepperUserId, pepper, wallet });
  }
  return mismatches;
}

/** Journals the connector wrote for Pepper movements (reference pepper:<app>:action:<id>). */
export function mirroredJournals(h: Harness) {
  return h.crm.journals().filter((j) => j.referenceNumber?.startsWith(`pepper:${h.config.pepper.applicationId}:action:`));
}

/**
 * Polls both feeds until the run has finished: a reconciliation waits for the feeds to pass its snapshot, and the
 * harness runs no scheduler. Bounded; returns the run as the admin API shows it.
 */
export interface RunView {
  state: string;
  counts: Record<string, number>;
  error: string | null;
}

export async function pollUntilRunEnds(h: Harness, runId: string, maxRounds = 40): Promise<RunView> {
  const jobs = h.app.get(SyncJobs);
  for (let round = 0; round < maxRounds; round++) {
    const run = (await h.admin.get(`/admin/runs/${runId}`).expect(200)).body;
    if (run.state !== 'RUNNING') return run;
    await (await jobs.startActionsPoll('ADMIN')).done;
    await (await jobs.startJournalsPoll('ADMIN')).done;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`run ${runId} still RUNNING after ${maxRounds} polling rounds`);
}
