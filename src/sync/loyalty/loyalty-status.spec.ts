import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConfigModule } from '../../config/config.module';
import { buildDataSourceOptions } from '../../persistence/data-source-options';
import { PersistenceModule } from '../../persistence/persistence.module';
import { PerkStore } from '../../persistence/stores/perk.store';
import { SettingsPinStore } from '../../persistence/stores/settings-pin.store';
import { testConfig, TestConfigOverrides } from '../../upstream/testing/test-config';
import { LoyaltyStatus } from './loyalty-status';
import { Clock } from '../../common/clock';

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

  it('pins the settings at the first activation and refuses different ones later, explaining why', async () => {
    const first = await statusWith({}, [wallet]);
    expect((await first.status.evaluate()).state).toBe('ACTIVE');
    // The same database, a later start with another points rate:
    const later = new LoyaltyStatus(testConfig({ loyalty: { pointsPerCurrencyUnit: 10 } }), first.moduleRef.get(PerkStore), first.moduleRef.get(SettingsPinStore), first.moduleRef.get(Clock));
    const state = await later.evaluate();
    expect(state).toMatchObject({ state: 'DISABLED', reason: expect.stringContaining('pointsPerCurrencyUnit: pinned 100, now 10') });
    expect(state.reason).toContain('revalue');
  });
});
