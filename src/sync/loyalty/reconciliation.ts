import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { Clock } from '../../common/clock';
import { UserLocks } from '../../common/keyed-mutex';
import { logEvent } from '../../common/structured-log';
import { CrmComClient } from '../../crmcom/crmcom.client';
import { walletToPoints } from '../../loyalty/logic/points-conversion';
import { PepperClient } from '../../pepper/pepper.client';
import type { UserLinkEntity } from '../../persistence/entities';
import { AwardMirrorStore } from '../../persistence/stores/award-mirror.store';
import { ConflictStore } from '../../persistence/stores/conflict.store';
import { ConflictReporter } from '../../mapping/conflict-reporter';
import { EventStore } from '../../persistence/stores/event.store';
import { LinkStore } from '../../persistence/stores/link.store';
import { WriteLog } from '../../persistence/stores/write-log.store';
import type { RunContext } from '../job-runner';
import { LoyaltyStatus } from './loyalty-status';
import { PepperAwardWriter } from './pepper-award-writer';

interface Drift {
  link: UserLinkEntity;
  awardId: string | null;
  pepperPoints: number;
  walletPoints: number;
  walletMinor: number;
}

const PAGE = 200;
/** More drifting users than this share (and at least MIN_SUSPICIOUS) smells of misconfiguration, not drift. */
const SUSPICIOUS_SHARE = 0.01;
const MIN_SUSPICIOUS = 5;

/**
 * Compares every linked user's Pepper award with floor(wallet × rate) (design §5 "Reconciliation"). Users with
 * anything in flight on either side are left for the next run. Differences become BALANCE_DRIFT conflicts;
 * a run that is not a dry run also sets the award to the wallet — unless too many users drift, which stops it.
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
    private readonly pepper: PepperClient,
    private readonly crm: CrmComClient,
    private readonly awardWriter: PepperAwardWriter,
    private readonly awards: AwardMirrorStore,
    private readonly conflicts: ConflictStore,
    private readonly conflictReporter: ConflictReporter,
    private readonly clock: Clock,
  ) {}

  async run(ctx: RunContext, dryRun: boolean): Promise<void> {
    const perkId = this.loyalty.walletPerkId();
    if (!perkId) throw new Error(`loyalty sync is DISABLED: ${this.loyalty.current().reason}`);
    const drifts: Drift[] = [];
    let checked = 0;
    for (let after = 0; ; ) {
      const page = await this.links.linkedWithWallet(after, PAGE);
      if (page.length === 0 || ctx.stopping) break;
      after = page[page.length - 1].id;
      for (const link of page) {
        if ((await this.events.hasPendingFor(link.pepperUserId)) || (await this.writeLog.hasUnsettledFor(link.pepperUserId))) {
          ctx.add('skippedInFlight');
          continue;
        }
        const drift = await this.locks.forUser(link.pepperUserId, () => this.compare(link, perkId));
        checked += 1;
        ctx.add('checked');
        if (drift) drifts.push(drift);
      }
    }
    ctx.add('drifting', drifts.length);
    for (const drift of drifts) await this.report(drift, ctx.runId);
    if (dryRun || drifts.length === 0) return;
    if (drifts.length >= MIN_SUSPICIOUS && drifts.length > checked * SUSPICIOUS_SHARE) {
      ctx.add('fixesWithheld', drifts.length);
      logEvent(this.logger, 'reconcile_withheld', { runId: ctx.runId, drifting: drifts.length, checked, note: 'too many users drift: check the points rate, currency and wallet perk before fixing' }, 'error');
      return;
    }
    for (const drift of drifts) if (await this.fix(drift, perkId, ctx.runId)) ctx.add('fixed');
  }

  private async compare(link: UserLinkEntity, perkId: string): Promise<Drift | null> {
    const award = await this.awardWriter.currentAward(link.pepperUserId, perkId);
    const wallet = await this.crm.getWallet(link.crmWalletId as string);
    const pepperPoints = award?.pointsAvailable ?? 0;
    const walletPoints = walletToPoints(wallet.balanceMinor, this.config.loyalty.pointsPerCurrencyUnit);
    return pepperPoints === walletPoints ? null : { link, awardId: award?.id ?? null, pepperPoints, walletPoints, walletMinor: wallet.balanceMinor };
  }

  private async report(drift: Drift, runId: string): Promise<void> {
    await this.conflictReporter.report({
      kind: 'BALANCE_DRIFT',
      pepperUserId: drift.link.pepperUserId,
      candidateContactIds: [drift.link.crmContactId as string],
      details: { reason: 'the Pepper award differs from the CRM.COM wallet', pepperPoints: drift.pepperPoints, walletPoints: drift.walletPoints, walletMinor: drift.walletMinor, runId },
    });
  }

  /** Sets the award to the wallet, re-checking under the lock that the drift is still there. */
  async fix(drift: Drift, perkId: string, runId: string, actor = 'reconciliation'): Promise<boolean> {
    return this.locks.forUser(drift.link.pepperUserId, async () => {
      const now = await this.compare(drift.link, perkId);
      if (now) {
        if (now.awardId) {
          const key = `reconcile:${runId}:${drift.link.pepperUserId}`;
          const attempt = await this.writeLog.begin({ idempotencyKey: key, target: 'pepper', kind: 'SET_AWARD', pepperUserId: drift.link.pepperUserId, perkId, awardId: now.awardId, points: now.walletPoints, request: { available: now.walletPoints } });
          const award = await this.pepper.setAwardPoints(now.awardId, now.walletPoints).catch(async (error: unknown) => {
            await this.writeLog.failed(attempt, (error as Error).message);
            throw error;
          });
          await this.writeLog.done(attempt, award.id);
          // PUT emits no action: the mirror is updated here or never.
          await this.awards.observe({ awardId: award.id, pepperUserId: drift.link.pepperUserId, perkId, pointsAvailable: award.pointsAvailable, asOf: this.clock.now().toISOString() });
        } else {
          await this.awardWriter.apply({ key: `reconcile:${runId}:${drift.link.pepperUserId}`, pepperUserId: drift.link.pepperUserId, perkId, points: now.walletPoints, sourceMoneyMinor: null });
        }
      }
      const open = (await this.conflicts.list({ status: 'OPEN', kind: 'BALANCE_DRIFT', pepperUserId: drift.link.pepperUserId }, 1, null)).items[0];
      if (open) await this.conflicts.close(open, 'RESOLVED', `award set to the wallet (${drift.walletPoints} points) by run ${runId}`, actor);
      return Boolean(now);
    });
  }
}
