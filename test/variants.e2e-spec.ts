import type { CrmComVariants } from '../packages/simulators/src/crmcom/crmcom-simulator';
import { pepperPoints, WALLET_PERK } from './support/loyalty';
import { addUsers, orderRef, settleUntilClean, startChaosHarness } from './support/chaos/chaos-harness';
import { checkInvariants } from './support/chaos/invariants';

/**
 * The main flows under each switch for a guess the API documents leave open: each either works or parks with a
 * reason, and never writes a wrong amount or a second write (the chaos invariants hold).
 */
describe.each<[string, CrmComVariants, { actionsWithoutPage?: boolean }]>([
  ['the documented shapes', {}, {}],
  ['journals without a contact', { journalsWithoutContact: true }, {}],
  ['phones as E.164 strings', { phoneAsE164: true }, {}],
  // pages of 2 actions, so the feed must read on past full pages that carry no `page`
  ['Pepper actions without a page object', {}, { actionsWithoutPage: true }],
])('main flows with %s (e2e)', (_label, variants, pepperVariants) => {
  it('orders → purchases with their awards in Pepper, a Pepper redemption → one debit, a POS spend → the Pepper balance', async () => {
    let users: string[] = [];
    const h = await startChaosHarness({
      // Without a page object a full page of actions in one millisecond cannot be read on; grants made for several
      // users at once land in one millisecond, so this variant works one user at a time.
      env: pepperVariants.actionsWithoutPage ? { PEPPER_PAGE_SIZE: '2', SYNC_CONCURRENCY: '1' } : {},
      crm: { variants, rewardOffers: [{ name: '10% back', percent: 10 }] },
      pepper: { variants: pepperVariants },
      seed: (pepper) => (users = addUsers(pepper, 'Variant', 3)),
    });
    try {
      await settleUntilClean(h);
      for (let i = 0; i < 6; i++) {
        h.pepper.completeOrder(users[i % 3], { orderId: `v-${i}`, total: '20.00', items: [] });
        h.clock.advance(3); // a full page of actions all in one millisecond cannot be read on without a page object (it fails the run)
      }
      expect(await settleUntilClean(h)).toMatchObject({ pending: 0, violations: [] });
      expect(h.crm.purchases().map((p) => p.referenceNumber).sort()).toEqual(Array.from({ length: 6 }, (_, i) => orderRef(h.config, `v-${i}`)).sort());
      expect(users.map((u) => pepperPoints(h, u))).toEqual([400, 400, 400]); // 10 % of 2 × 20.00, at 100 points per unit

      const award = h.pepper.awardsOf(users[0]).find((a) => a.perkId === WALLET_PERK)!;
      h.pepper.redeemAward(users[0], award._id, 150);
      h.crm.posSpend(h.crm.findContactByCode(users[1])!.id, '1.00');
      expect(await settleUntilClean(h)).toMatchObject({ pending: 0, violations: [] });
      expect(users.map((u) => pepperPoints(h, u))).toEqual([250, 300, 400]);
      expect((await h.admin.get('/admin/failed-events').expect(200)).body.items).toEqual([]);
      expect(await checkInvariants(h)).toEqual([]);
    } finally {
      await h.close();
    }
  });
});

describe('order amounts in minor units (a wrong guess of the units) (e2e)', () => {
  it('parks each order above ORDER_MAX_TOTAL with the reason and buys nothing', async () => {
    let users: string[] = [];
    const h = await startChaosHarness({ seed: (pepper) => (users = addUsers(pepper, 'Minor', 1)) });
    try {
      await settleUntilClean(h);
      // 12.50 written as 1250 "minor units": read as major units it would be a 1,250.00 purchase
      h.pepper.completeOrder(users[0], { orderId: 'minor-1', total: '1250', items: [] });
      await settleUntilClean(h, { maxRounds: 2 });
      expect(h.crm.purchases()).toEqual([]);
      const parked = (await h.admin.get('/admin/failed-events').expect(200)).body.items;
      expect(parked).toEqual([expect.objectContaining({ type: 'ORDER_COMPLETED', lastError: expect.stringContaining('ORDER_MAX_TOTAL') })]);
    } finally {
      await h.close();
    }
  });
});

describe('an earning made in Pepper on the wallet perk, with the default PEPPER_WALLET_EARNING (e2e)', () => {
  it('opens an UNEXPECTED_PEPPER_EARNING conflict and moves no money: an unrecognised echo is never paid twice', async () => {
    let users: string[] = [];
    const h = await startChaosHarness({ seed: (pepper) => (users = addUsers(pepper, 'Earn', 1)) });
    try {
      await settleUntilClean(h);
      h.pepper.grantAward(users[0], WALLET_PERK, 75); // not the connector's: no attempt of ours matches it
      expect(await settleUntilClean(h)).toMatchObject({ pending: 0 });
      expect(h.crm.journals().filter((j) => j.referenceNumber?.includes(':action:'))).toEqual([]);
      const conflicts = (await h.admin.get('/admin/conflicts?status=open&kind=UNEXPECTED_PEPPER_EARNING').expect(200)).body.items;
      expect(conflicts).toEqual([expect.objectContaining({ pepperUserId: users[0], details: expect.objectContaining({ points: 75 }) })]);
    } finally {
      await h.close();
    }
  });
});
