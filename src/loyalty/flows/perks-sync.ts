import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { Clock } from '../../common/clock';
import { PepperClient } from '../../pepper/pepper.client';
import { AwardMirrorStore } from '../../persistence/stores/award-mirror.store';
import { PerkStore } from '../../persistence/stores/perk.store';
import { SyncStateStore } from '../../persistence/stores/sync-state.store';
import type { RunContext } from '../../core/job-runner';
import { LoyaltyStatus } from './loyalty-status';
import { EventParking } from '../../core/event-parking';
import { LinkRepair } from './link-repair';

/**
 * Perks (daily and on resync) decide the loyalty state. The first time loyalty is ACTIVE, the awards of the
 * wallet perk are seeded from GET /awards; actions keep them current after that.
 */
@Injectable()
export class PerksSync {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly pepper: PepperClient,
    private readonly perks: PerkStore,
    private readonly awards: AwardMirrorStore,
    private readonly loyalty: LoyaltyStatus,
    private readonly syncState: SyncStateStore,
    private readonly parking: EventParking,
    private readonly repair: LinkRepair,
    private readonly clock: Clock,
  ) {}

  async run(ctx: RunContext): Promise<void> {
    for await (const page of this.pepper.perksPages()) {
      for (const perk of page.items) {
        await this.perks.upsert({ perkId: perk.id, template: perk.template, title: perk.title, enabled: perk.enabled });
        ctx.add('perks');
      }
      for (const invalid of page.invalid) await this.parking.parkInvalid('pepper', 'PERK', invalid);
    }
    const state = await this.loyalty.evaluate();
    ctx.add(`loyalty.${state.state}`);
    if (state.state !== 'ACTIVE') return;
    if ((await this.syncState.get('pepper.awards-seed'))?.stage !== 'DONE') await this.seedAwards(ctx, state.walletPerkId as string);
    // What waited while loyalty was off flows now, and users linked meanwhile get their opening balance.
    await this.repair.run(ctx);
  }

  private async seedAwards(ctx: RunContext, walletPerkId: string): Promise<void> {
    const asOf = this.clock.now().toISOString();
    for await (const page of this.pepper.awardsPages({})) {
      for (const award of page.items) {
        // Other perks are mirrored too (locally only); the wallet perk's awards are what the flows move.
        const { id: awardId, userId: pepperUserId, perkId, pointsAvailable } = award;
        await this.awards.observe({ awardId, pepperUserId, perkId, pointsAvailable, asOf: award.updatedAt ?? asOf });
        ctx.add(award.perkId === walletPerkId ? 'walletAwards' : 'otherAwards');
      }
    }
    await this.syncState.update('pepper.awards-seed', { stage: 'DONE', cursor: asOf });
  }
}
