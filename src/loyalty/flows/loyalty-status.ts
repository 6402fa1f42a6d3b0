import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { logEvent } from '../../common/structured-log';
import { PerkStore } from '../../persistence/stores/perk.store';
import { SettingsPinStore } from '../../persistence/stores/settings-pin.store';
import { DeferredError } from '../../common/deferred-error';
import { Clock } from '../../common/clock';
import { chooseWalletPerk } from '../rules/wallet-perk';
import { describeDifferences, PIN_CONSEQUENCE, pinDifferences, PinnedSettingsChangedError, PinnedValues } from '../rules/pinned-settings';

export interface LoyaltyState {
  state: 'ACTIVE' | 'DISABLED';
  reason: string | null;
  walletPerkId: string | null;
  /** false until the perk catalogue has been read once: loyalty events then wait instead of being parked */
  decided: boolean;
}

/** Waiting loyalty events are woken when loyalty turns ACTIVE; this slow re-check is only a safety net. */
const LOYALTY_OFF_RECHECK_MS = 15 * 60_000;

/**
 * Whether the loyalty flows run, and why not. Customer sync runs either way. The wallet perk must exist,
 * be enabled and be PSEUDO_CURRENCY; the perk, points rate and currency are pinned at the first start with a
 * valid wallet perk, because changing them later would revalue or strand every customer's balance.
 */
@Injectable()
export class LoyaltyStatus {
  private readonly logger = new Logger('LoyaltyStatus');
  private state: LoyaltyState = { state: 'DISABLED', reason: 'the Pepper perk catalogue has not been read yet', walletPerkId: null, decided: false };

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly perks: PerkStore,
    private readonly pins: SettingsPinStore,
    private readonly clock: Clock,
  ) {}

  current(): LoyaltyState {
    return { ...this.state };
  }

  /**
   * For the loyalty flows: the wallet perk. While loyalty is off (or not decided yet) money events wait, bounded by
   * MAX_WAIT_HOURS, and are woken when it turns ACTIVE: a misconfiguration fixed by the operator needs no retries.
   */
  gate(): { walletPerkId: string } {
    if (!this.state.decided) throw new DeferredError('the Pepper perk catalogue has not been read yet (Pepper unavailable?)');
    if (this.state.state !== 'ACTIVE' || !this.state.walletPerkId) {
      throw new DeferredError(`loyalty sync is DISABLED: ${this.state.reason}; waiting until it is ACTIVE`, new Date(this.clock.nowMs() + LOYALTY_OFF_RECHECK_MS));
    }
    return { walletPerkId: this.state.walletPerkId };
  }

  /** The wallet perk when loyalty is ACTIVE, else null. */
  walletPerkId(): string | null {
    return this.state.state === 'ACTIVE' ? this.state.walletPerkId : null;
  }

  /**
   * At boot: decide from the catalogue stored by an earlier run, so a Pepper outage at start-up does not switch
   * loyalty off. With nothing stored yet the state stays "not read yet". Throws PinnedSettingsChangedError when
   * the configured settings (or the wallet perk the stored catalogue gives) differ from the pins.
   */
  async restore(): Promise<LoyaltyState> {
    const perks = await this.perks.all();
    const pinned = await this.pins.all();
    if (Object.keys(pinned).length > 0) {
      const configured = this.config.loyalty.walletPerkId;
      const choice = configured ? null : chooseWalletPerk(perks, this.config.loyalty.walletPerkId);
      const walletPerkId = configured ?? (choice && 'perk' in choice ? choice.perk.perkId : null);
      const differences = pinDifferences(pinned, this.wanted(walletPerkId), !configured);
      if (differences.length > 0) throw new PinnedSettingsChangedError(differences);
    }
    if (perks.length === 0) return this.current();
    return this.evaluate();
  }

  /** Several instances: another instance's perk sync stored the catalogue; follow it (nothing stored: unchanged). */
  async followStoredCatalogue(): Promise<void> {
    if ((await this.perks.all()).length > 0) await this.evaluate();
  }

  /** Re-decides the state from the stored perk catalogue (after every perk sync). */
  async evaluate(): Promise<LoyaltyState> {
    const choice = chooseWalletPerk(await this.perks.all(), this.config.loyalty.walletPerkId);
    let next: LoyaltyState;
    let pinProblem: string | null = null;
    if ('reason' in choice) {
      next = { state: 'DISABLED', reason: choice.reason, walletPerkId: null, decided: true };
    } else {
      pinProblem = await this.checkPins(choice.perk.perkId);
      next = pinProblem
        ? { state: 'DISABLED', reason: pinProblem, walletPerkId: null, decided: true }
        : { state: 'ACTIVE', reason: null, walletPerkId: choice.perk.perkId, decided: true };
    }
    await this.perks.markWalletPerk(next.walletPerkId);
    if (next.state !== this.state.state || next.reason !== this.state.reason) {
      // Pins that no longer match need a person: the balances are at stake, not a passing outage.
      logEvent(this.logger, 'loyalty_state', { ...next }, next.state === 'ACTIVE' ? 'log' : pinProblem ? 'error' : 'warn');
    }
    this.state = next;
    return this.current();
  }

  private wanted(walletPerkId: string | null): PinnedValues {
    return { walletPerkId, pointsPerCurrencyUnit: String(this.config.loyalty.pointsPerCurrencyUnit), currency: this.config.crmcom.currency };
  }

  private async checkPins(walletPerkId: string): Promise<string | null> {
    const wanted = this.wanted(walletPerkId);
    const pinned = await this.pins.all();
    if (Object.keys(pinned).length === 0) {
      await this.pins.pin({ ...wanted, walletPerkId });
      return null;
    }
    const differences = pinDifferences(pinned, wanted, !this.config.loyalty.walletPerkId);
    if (differences.length === 0) return null;
    return (
      `loyalty settings differ from those pinned at the first start (${describeDifferences(differences, 'now', '; ')}). ${PIN_CONSEQUENCE} ` +
      'Restore the pinned values, or migrate deliberately: reconcile balances, then clear the pins (npm run pins -- --clear --confirm) and restart.'
    );
  }
}
