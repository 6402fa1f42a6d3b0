import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { Clock } from '../../common/clock';
import { Sleeper } from '../../common/sleeper';
import { SyncStateStore } from '../../persistence/stores/sync-state.store';
import { UserLocks } from '../../ledger/user-locks';
import { logEvent } from '../../common/structured-log';
import { CrmComClient } from '../../crmcom/crmcom.client';
import { walletToPoints } from '../rules/points-conversion';
import type { UserLinkEntity } from '../../persistence/entities';
import { ConflictStore } from '../../persistence/stores/conflict.store';
import { ConflictReporter } from '../../ledger/conflict-reporter';
import { EventStore } from '../../persistence/stores/event.store';
import { LinkStore } from '../../persistence/stores/link.store';
import { WriteLog } from '../../persistence/stores/write-log.store';
import type { RunContext } from '../../core/job-runner';
import { LoyaltyStatus } from './loyalty-status';
import { PepperAwardWriter } from './pepper-award-writer';
import { formatKey } from '../../ledger/keys';

interface Drift {
  link: UserLinkEntity;
  pepperPoints: number;
  walletPoints: number;
  walletMinor: number;
}

export interface ReconcileScope {
  /** one user only (an operator's accept-crm on a BALANCE_DRIFT conflict) */
  pepperUserId?: string;
  /** who asked for the fix; recorded on the resolved conflicts */
  actor?: string;
}

const PAGE = 200;
/** More drifting users than this share (and at least MIN_SUSPICIOUS) smells of misconfiguration, not drift. */
const SUSPICIOUS_SHARE = 0.01;
const MIN_SUSPICIOUS = 5;
const GATE_CHECK_MS = 250;

/**
 * Compares linked users' Pepper awards with floor(wallet × rate) (README "Reconciliation"). A difference read at T may
 * only be a movement on its way, so nothing is reported or fixed until both feeds have taken in everything up to T
 * (the snapshot gate), and then only for users whose balances still read as at T with nothing in flight. Confirmed
 * differences become BALANCE_DRIFT conflicts; a run that is not a dry run also moves the award by the difference
 * (a grant or redeem through the write protocol, never a PUT over a balance that may have moved) — unless too many
 * users drift, which stops it.
 */
@Injectable()
export class Reconciliation {
  private readonly logger = new Logger('Reconciliation');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly loyalty: LoyaltyStatus,
    private readonly links: LinkStore,
    private readonly events: EventStore,
    private readonly writeLog: WriteLog,
    private readonly locks: UserLocks,
    private readonly crm: CrmComClient,
    private readonly awardWriter: PepperAwardWriter,
    private readonly conflicts: ConflictStore,
    private readonly conflictReporter: ConflictReporter,
    private readonly syncState: SyncStateStore,
    private readonly sleeper: Sleeper,
    private readonly clock: Clock,
  ) {}

  async run(ctx: RunContext, dryRun: boolean, scope: ReconcileScope = {}): Promise<void> {
    const perkId = this.loyalty.walletPerkId();
    if (!perkId) throw new Error(`loyalty sync is DISABLED: ${this.loyalty.current().reason}`);
    const snapshotAt = this.clock.now();
    const { candidates, checked } = await this.snapshot(ctx, perkId, scope);
    ctx.add('checked', checked);
    if (candidates.length === 0 || ctx.stopping) return;
    ctx.add('differingAtSnapshot', candidates.length);
    await this.waitForFeedsToPass(ctx, snapshotAt);

    const drifts: Drift[] = [];
    for (const candidate of candidates) {
      const confirmed = await this.locks.forUser(candidate.link.pepperUserId, () => this.confirm(candidate, perkId));
      if (confirmed) drifts.push(confirmed);
      else ctx.add('movedSinceSnapshot');
    }
    ctx.add('drifting', drifts.length);
    for (const drift of drifts) await this.report(drift, ctx.runId, snapshotAt);
    if (dryRun || drifts.length === 0) return;
    if (!scope.pepperUserId && drifts.length >= MIN_SUSPICIOUS && drifts.length > checked * SUSPICIOUS_SHARE) {
      ctx.add('fixesWithheld', drifts.length);
      logEvent(this.logger, 'reconcile_withheld', { runId: ctx.runId, drifting: drifts.length, checked, note: 'too many users drift: check the points rate, currency and wallet perk before fixing' }, 'error');
      return;
    }
    for (const drift of drifts) if (await this.fix(drift, perkId, ctx.runId, scope.actor ?? 'reconciliation')) ctx.add('fixed');
  }

  /** Users whose balances differ at T. Users with anything in flight are left for the next run. */
  private async snapshot(ctx: RunContext, perkId: string, scope: ReconcileScope): Promise<{ candidates: Drift[]; checked: number }> {
    const candidates: Drift[] = [];
    let checked = 0;
    const consider = async (link: UserLinkEntity) => {
      if (await this.inFlight(link.pepperUserId)) {
        ctx.add('skippedInFlight');
        return;
      }
      const drift = await this.locks.forUser(link.pepperUserId, () => this.compare(link, perkId));
      checked += 1;
      if (drift) candidates.push(drift);
    };
    if (scope.pepperUserId) {
      const link = await this.links.findByUser(scope.pepperUserId);
      if (link?.status === 'LINKED' && link.crmWalletId) await consider(link);
      return { candidates, checked };
    }
    for (let after = 0; ; ) {
      const page = await this.links.linkedWithWallet(after, PAGE);
      if (page.length === 0 || ctx.stopping) break;
      after = page[page.length - 1].id;
      for (const link of page) await consider(link);
    }
    return { candidates, checked };
  }

  private async inFlight(pepperUserId: string): Promise<boolean> {
    return (await this.events.hasPendingFor(pepperUserId)) || (await this.writeLog.hasUnsettledFor(pepperUserId));
  }

  /**
   * The snapshot gate: both feeds must have taken in (and settled or parked) everything up to T — the actions cursor
   * past T + lag, the journal cursor past T — so a movement made before T is no longer on its way. Bounded: a feed
   * that does not get there in time fails the run, and nothing is reported or fixed.
   */
  private async waitForFeedsToPass(ctx: RunContext, snapshotAt: Date): Promise<void> {
    const { pepper, crmcom } = this.config;
    const boundMs = (2 * Math.max(pepper.pollIntervalSeconds, crmcom.pollIntervalSeconds) + pepper.pollLagSeconds + 60) * 1000;
    const startedMs = Date.now();
    const passed = async () => {
      const actions = (await this.syncState.get('pepper.actions'))?.cursor;
      const journals = (await this.syncState.get('crmcom.journals'))?.cursor;
      return Boolean(
        actions && journals && Date.parse(actions) >= snapshotAt.getTime() + pepper.pollLagSeconds * 1000 && Date.parse(journals) >= snapshotAt.getTime(),
      );
    };
    while (!(await passed())) {
      if (ctx.stopping) throw new Error('stopped while waiting for the feeds to pass the snapshot');
      if (Date.now() - startedMs > boundMs) {
        ctx.add('gateTimedOut');
        throw new Error(
          `the feeds did not pass the snapshot time ${snapshotAt.toISOString()} within ${Math.round(boundMs / 1000)} s (is a feed stalled? see /admin/status); nothing was reported or fixed`,
        );
      }
      await this.sleeper.sleep(GATE_CHECK_MS);
    }
  }

  /** Under the user's lock, after the gate: the difference stands only if nothing moved since the snapshot. */
  private async confirm(candidate: Drift, perkId: string): Promise<Drift | null> {
    if (await this.inFlight(candidate.link.pepperUserId)) return null;
    const now = await this.compare(candidate.link, perkId);
    if (!now || now.pepperPoints !== candidate.pepperPoints || now.walletMinor !== candidate.walletMinor) return null;
    return now;
  }

  private async compare(link: UserLinkEntity, perkId: string): Promise<Drift | null> {
    const award = await this.awardWriter.currentAward(link.pepperUserId, perkId);
    const wallet = await this.crm.getWallet(link.crmWalletId as string);
    const pepperPoints = award?.pointsAvailable ?? 0;
    const walletPoints = walletToPoints(wallet.balanceMinor, this.config.loyalty.pointsPerCurrencyUnit);
    return pepperPoints === walletPoints ? null : { link, pepperPoints, walletPoints, walletMinor: wallet.balanceMinor };
  }

  private async report(drift: Drift, runId: string, snapshotAt: Date): Promise<void> {
    await this.conflictReporter.report({
      kind: 'BALANCE_DRIFT',
      pepperUserId: drift.link.pepperUserId,
      candidateContactIds: [drift.link.crmContactId as string],
      details: {
        reason: 'the Pepper award differs from the CRM.COM wallet',
        pepperPoints: drift.pepperPoints,
        walletPoints: drift.walletPoints,
        walletMinor: drift.walletMinor,
        snapshotAt: snapshotAt.toISOString(),
        runId,
      },
    });
  }

  /**
   * Moves the award by the difference (grant or redeem through the write protocol, recognised as an echo when it
   * comes back), re-checking under the lock that the drift still stands. Resolves the user's BALANCE_DRIFT conflict.
   */
  private async fix(drift: Drift, perkId: string, runId: string, actor: string): Promise<boolean> {
    return this.locks.forUser(drift.link.pepperUserId, async () => {
      const now = await this.confirm(drift, perkId);
      if (!now) return false;
      await this.awardWriter.apply({
        key: formatKey({ kind: 'reconcile', applicationId: this.config.pepper.applicationId, runId, pepperUserId: drift.link.pepperUserId }),
        pepperUserId: drift.link.pepperUserId,
        perkId,
        points: now.walletPoints - now.pepperPoints,
        sourceMoneyMinor: null,
      });
      const open = (await this.conflicts.list({ status: 'OPEN', kind: 'BALANCE_DRIFT', pepperUserId: drift.link.pepperUserId }, 1, null)).items[0];
      if (open) await this.conflicts.close(open, 'RESOLVED', `award moved by ${now.walletPoints - now.pepperPoints} points to the wallet (${now.walletPoints}) by run ${runId}`, actor);
      return true;
    });
  }
}
