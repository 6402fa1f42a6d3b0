import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConfigModule } from '../../config/config.module';
import { buildDataSourceOptions } from '../../persistence/data-source-options';
import { PersistenceModule } from '../../persistence/persistence.module';
import { PerkStore } from '../../persistence/stores/perk.store';
import { SettingsPinStore } from '../../persistence/stores/settings-pin.store';
import { testConfig, TestConfigOverrides } from '../../../test/support/upstream/test-config';
import { LoyaltyStatus } from './loyalty-status';
import { Clock } from '../../common/clock';
import { PinnedSettingsChangedError } from '../rules/pinned-settings';

async function statusWith(overrides: TestConfigOverrides, perks: Array<{ perkId: string; template: string; enabled: boolean }>) {
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(testConfig(overrides)), TypeOrmModule.forRoot(buildDataSourceOptions(':memory:')), PersistenceModule],
    providers: [LoyaltyStatus],
  }).compile();
  for (const perk of perks) await moduleRef.get(PerkStore).upsert({ ...perk, title: perk.perkId });
  return { status: moduleRef.get(LoyaltyStatus), moduleRef };
}

const wallet = { perkId: 'wallet', template: 'PSEUDO_CURRENCY', enabled: true };

describe('LoyaltyStatus', () => {
  it('activates with the one enabled PSEUDO_CURRENCY perk', async () => {
    const { status } = await statusWith({}, [wallet, { perkId: 'stamps', template: 'STAMP_CARD', enabled: true }, { perkId: 'old', template: 'PSEUDO_CURRENCY', enabled: false }]);
    expect(await status.evaluate()).toEqual({ state: 'ACTIVE', reason: null, walletPerkId: 'wallet', decided: true });
    expect(status.walletPerkId()).toBe('wallet');
  });

  it.each([
    [[], 'no enabled PSEUDO_CURRENCY perk'],
    [[wallet, { ...wallet, perkId: 'wallet2' }], 'several enabled PSEUDO_CURRENCY perks (wallet, wallet2)'],
  ])('stays off, saying why, with perks %j', async (perks, reason) => {
    const { status } = await statusWith({}, perks);
    expect(await status.evaluate()).toMatchObject({ state: 'DISABLED', reason: expect.stringContaining(reason) });
    expect(status.walletPerkId()).toBeNull();
  });

  it.each([
    ['missing', [], 'is not a Pepper perk'],
    ['disabled', [{ ...wallet, enabled: false }], 'is disabled'],
    ['not pseudo-currency', [{ ...wallet, template: 'STAMP_CARD' }], 'not PSEUDO_CURRENCY'],
  ])('refuses a WALLET_PERK_ID that is %s', async (_, perks, reason) => {
    const { status } = await statusWith({ loyalty: { walletPerkId: 'wallet' } }, perks);
    expect(await status.evaluate()).toMatchObject({ state: 'DISABLED', reason: expect.stringContaining(reason) });
  });

  it('pins the settings at the first activation; a fresh catalogue read with other settings keeps loyalty DISABLED, explaining why', async () => {
    const first = await statusWith({}, [wallet]);
    expect((await first.status.evaluate()).state).toBe('ACTIVE');
    // Settings that differ from the pins (a start with them is refused at boot; this is the check after a catalogue read):
    const later = new LoyaltyStatus(
      testConfig({ loyalty: { pointsPerCurrencyUnit: 10 } }),
      first.moduleRef.get(PerkStore),
      first.moduleRef.get(SettingsPinStore),
      first.moduleRef.get(Clock),
    );
    const state = await later.evaluate();
    expect(state).toMatchObject({ state: 'DISABLED', reason: expect.stringContaining('POINTS_PER_CURRENCY_UNIT: pinned 100, now 10') });
    expect(state.reason).toContain('revalue');
  });
});

describe('LoyaltyStatus at boot: pinned settings', () => {
  const wallet2 = { ...wallet, perkId: 'wallet2' };

  /** A database whose first start pinned perk "wallet", 100 points per unit, EUR; then a start with `overrides`. */
  async function restartWith(overrides: TestConfigOverrides, catalogueNow?: Array<typeof wallet>) {
    const first = await statusWith({}, [wallet, { ...wallet2, enabled: false }]);
    expect((await first.status.evaluate()).state).toBe('ACTIVE');
    const perks = first.moduleRef.get(PerkStore);
    for (const perk of catalogueNow ?? []) await perks.upsert({ ...perk, title: perk.perkId });
    return new LoyaltyStatus(testConfig(overrides), perks, first.moduleRef.get(SettingsPinStore), first.moduleRef.get(Clock));
  }

  async function refusalOf(status: LoyaltyStatus): Promise<string> {
    const error = await status.restore().then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(PinnedSettingsChangedError);
    return (error as Error).message;
  }

  it.each([
    ['POINTS_PER_CURRENCY_UNIT', { loyalty: { pointsPerCurrencyUnit: 10 } }, 'pinned 100, configured 10'],
    ['CRMCOM_CURRENCY', { crmcom: { currency: 'GBP' } }, 'pinned EUR, configured GBP'],
    ['WALLET_PERK_ID', { loyalty: { walletPerkId: 'wallet2' } }, 'pinned wallet, configured wallet2'],
  ])('refuses to start when %s differs from its pin: the variable, both values, the consequence and the way to migrate', async (variable, overrides, values) => {
    const message = await refusalOf(await restartWith(overrides as TestConfigOverrides));
    expect(message).toContain(`${variable}: ${values}`);
    expect(message).toMatch(/revalue|strand/);
    expect(message).toContain('restore');
    expect(message).toContain('npm run pins -- --clear --confirm');
    expect(message.match(/: pinned /g)).toHaveLength(1);
  });

  it('names every variable that differs in one message', async () => {
    const message = await refusalOf(await restartWith({ loyalty: { pointsPerCurrencyUnit: 10, walletPerkId: 'wallet2' }, crmcom: { currency: 'GBP' } }));
    for (const variable of ['WALLET_PERK_ID', 'POINTS_PER_CURRENCY_UNIT', 'CRMCOM_CURRENCY']) expect(message).toContain(`${variable}: pinned`);
  });

  it('with WALLET_PERK_ID unset, refuses when the perk chosen from the stored catalogue differs from the pin', async () => {
    const message = await refusalOf(await restartWith({}, [{ ...wallet, enabled: false }, wallet2]));
    expect(message).toContain('WALLET_PERK_ID (unset: chosen from the stored perk catalogue): pinned wallet, configured wallet2');
  });

  it('starts with the pinned values, and on a database without pins', async () => {
    expect(await (await restartWith({ loyalty: { walletPerkId: 'wallet' } })).restore()).toMatchObject({ state: 'ACTIVE', walletPerkId: 'wallet' });
    expect(await (await restartWith({})).restore()).toMatchObject({ state: 'ACTIVE', walletPerkId: 'wallet' });
    const fresh = await statusWith({ loyalty: { pointsPerCurrencyUnit: 10 } }, []);
    expect(await fresh.status.restore()).toMatchObject({ decided: false });
  });

  it('a wallet perk change found later by a fresh catalogue read keeps today\'s behaviour: DISABLED with the reason, logged at error level', async () => {
    const status = await restartWith({});
    await status.restore();
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const perks = (status as unknown as { perks: PerkStore }).perks;
      await perks.upsert({ ...wallet, enabled: false, title: 'wallet' });
      await perks.upsert({ ...wallet2, title: 'wallet2' });
      const state = await status.evaluate();
      expect(state).toMatchObject({ state: 'DISABLED', reason: expect.stringContaining('WALLET_PERK_ID (unset: chosen from the stored perk catalogue): pinned wallet, now wallet2') });
      expect(errors).toHaveBeenCalledWith(expect.objectContaining({ event: 'loyalty_state', state: 'DISABLED' }));
    } finally {
      errors.mockRestore();
    }
  });
});
