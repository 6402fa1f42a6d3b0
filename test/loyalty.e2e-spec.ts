import { DataSource } from 'typeorm';
import { InboundEventEntity } from '../src/persistence/entities';
import { Harness, startHarness } from './support/harness';
import { balanceMismatches, LOYALTY_ENV, mirroredJournals, pepperPoints, pollUntilRunEnds, RATE, settle, WALLET_PERK } from './support/loyalty';

const ITEMS = [{ productId: 'latte', title: 'Latte', quantity: 2, price: '3.75' }, { productId: 'bun', title: 'Bun', quantity: 1, price: '5.00' }];

describe('loyalty both ways against the simulators (e2e)', () => {
  let h: Harness;
  const users: string[] = [];
  let existing: { userId: string; contactId: string };

  beforeAll(async () => {
    h = await startHarness({
      env: LOYALTY_ENV,
      crm: { rewardOffers: [{ name: '10% back', percent: 10 }] },
      seed: (pepper, crm) => {
        pepper.addPerk({ id: WALLET_PERK, title: 'Wallet', template: 'PSEUDO_CURRENCY' });
        pepper.addPerk({ id: 'perk-stamps', title: 'Coffee stamps', template: 'STAMP_CARD' });
        for (let i = 0; i < 10; i++) users.push(pepper.addUser({ firstName: `U${i}`, lastName: 'Loyal', email: `loyal${i}@demo.example` }, { emitAction: false }).id);
        // A customer with points in Pepper before go-live gets a new contact: the points are carried over.
        pepper.grantAward(users[9], WALLET_PERK, 300, { at: new Date(Date.now() - 3_600_000) });
        // A customer already in CRM.COM with 10.00 in the wallet: the Pepper award is brought to it.
        const contact = crm.addContact({ firstName: 'Eve', lastName: 'Existing', email: 'eve@demo.example', balance: '10.00' });
        const eve = pepper.addUser({ firstName: 'Eve', lastName: 'Existing', email: 'eve@demo.example' }, { emitAction: false });
        existing = { userId: eve.id, contactId: contact.id };
      },
    });
    await settle(h);
  });
  afterAll(() => h.close());

  it('activates loyalty with the one enabled PSEUDO_CURRENCY perk', async () => {
    const { body } = await h.admin.get('/admin/status').expect(200);
    expect(body.loyalty).toMatchObject({ state: 'ACTIVE', walletPerkId: WALLET_PERK });
  });

  it('applies opening balances: existing wallet → Pepper, existing Pepper points → new wallet', async () => {
    expect(pepperPoints(h, existing.userId)).toBe(10 * RATE);
    const opening = h.crm.journals().filter((j) => j.referenceNumber === `pepper:${h.config.pepper.applicationId}:opening:${users[9]}`);
    expect(opening).toEqual([expect.objectContaining({ type: 'CREDIT', amountMinor: 300 })]);
    expect(pepperPoints(h, users[9])).toBe(300);
    expect(await balanceMismatches(h)).toEqual([]);
  });

  it('records the opening of a new contact with no Pepper points as settled at linking: the queue never works it', async () => {
    const openings = await h.app.get(DataSource).getRepository(InboundEventEntity).findBy({ type: 'OPENING_BALANCE' });
    const of = (userId: string) => openings.find((e) => e.pepperUserId === userId);
    for (const user of users.slice(0, 9)) expect(of(user)).toMatchObject({ state: 'DONE', attempts: 0, lastError: 'no Pepper points to carry over' });
    // Points to carry, or a wallet to compare: worked by the queue as before.
    expect(of(users[9])).toMatchObject({ state: 'DONE', attempts: 1 });
    expect(of(existing.userId)).toMatchObject({ state: 'DONE', attempts: 1 });
  });

  it('turns 50 orders into exactly 50 purchases, and their reward-offer awards reach the Pepper balances', async () => {
    const before = new Map(users.map((u) => [u, pepperPoints(h, u)]));
    for (let i = 0; i < 50; i++) h.pepper.completeOrder(users[i % 8], { orderId: `ord-${i}`, total: '12.50', items: ITEMS });
    await settle(h);

    const purchases = h.crm.purchases().filter((p) => p.referenceNumber?.includes(':order:ord-'));
    expect(purchases).toHaveLength(50);
    expect(new Set(purchases.map((p) => p.referenceNumber)).size).toBe(50);
    expect(purchases[0]).toMatchObject({ totalMinor: 1250, currencyCode: 'EUR' });
    // 10% of 12.50 = 1.25 = 125 points per order
    for (let u = 0; u < 8; u++) {
      const orders = Array.from({ length: 50 }, (_, i) => i).filter((i) => i % 8 === u).length;
      expect(pepperPoints(h, users[u]) - (before.get(users[u]) ?? 0)).toBe(orders * 125);
    }
    // The grants came back as REWARD_EARNED and were recognised as echoes: nothing was mirrored back.
    expect(mirroredJournals(h)).toEqual([]);
    expect(await balanceMismatches(h)).toEqual([]);
  });

  it('mirrors a Pepper redemption as exactly one DEBIT, with no echo loop', async () => {
    const user = users[0];
    const award = h.pepper.awardsOf(user).find((a) => a.perkId === WALLET_PERK)!;
    const before = pepperPoints(h, user);
    h.pepper.redeemAward(user, award._id, 150);
    const action = h.pepper.actions().at(-1)!;
    expect(action.type).toBe('REDEEM_PERK');
    await settle(h);
    const debits = mirroredJournals(h).filter((j) => j.referenceNumber?.endsWith(`:action:${action._id}`));
    expect(debits).toEqual([expect.objectContaining({ type: 'DEBIT', amountMinor: 150 })]);
    expect(pepperPoints(h, user)).toBe(before - 150);
    expect(await balanceMismatches(h)).toEqual([]);
  });

  it('moves the Pepper balance for a POS spend and a POS award in CRM.COM', async () => {
    const user = users[1];
    const contactId = h.crm.findContactByCode(user)!.id;
    const before = pepperPoints(h, user);
    h.crm.posSpend(contactId, '0.50');
    h.crm.posAward(contactId, '2.00');
    await settle(h);
    expect(pepperPoints(h, user)).toBe(before - 50 + 200);
    expect(await balanceMismatches(h)).toEqual([]);
  });

  it('ends equal when a Pepper redemption and a CRM.COM award happen at the same moment', async () => {
    const user = users[2];
    const contactId = h.crm.findContactByCode(user)!.id;
    const award = h.pepper.awardsOf(user).find((a) => a.perkId === WALLET_PERK)!;
    const before = pepperPoints(h, user);
    h.pepper.redeemAward(user, award._id, 100);
    h.crm.posAward(contactId, '3.00');
    await settle(h);
    expect(pepperPoints(h, user)).toBe(before - 100 + 300);
    expect(await balanceMismatches(h)).toEqual([]);
  });

  it('mirrors other perks locally only', async () => {
    const journalsBefore = h.crm.journals().length;
    h.pepper.grantAward(users[3], 'perk-stamps', 1);
    await settle(h);
    expect(h.crm.journals().length).toBe(journalsBefore);
  });

  it('parks an unreadable order with a clear reason while the rest flow', async () => {
    const bad = h.pepper.emitAction({ type: 'ORDER_COMPLETED', userId: users[4], metadata: { orderId: 'bad-1', total: 'twelve', items: [] } });
    h.pepper.completeOrder(users[4], { orderId: 'good-after-bad', total: '4.00', items: [] });
    await settle(h);
    const { body } = await h.admin.get('/admin/failed-events').expect(200);
    expect(body.items).toEqual(expect.arrayContaining([expect.objectContaining({ externalId: bad._id, type: 'ORDER_COMPLETED', lastError: expect.stringContaining('total') })]));
    expect(h.crm.purchases().some((p) => p.referenceNumber?.endsWith(':order:good-after-bad'))).toBe(true);
    expect(h.crm.purchases().some((p) => p.referenceNumber?.endsWith(':order:bad-1'))).toBe(false);
  });

  it('reports an order in another currency instead of converting it', async () => {
    const other = h.pepper.completeOrder(users[5], { orderId: 'in-dollars', total: '9.00', currency: 'USD', items: [] });
    await settle(h);
    const { body } = await h.admin.get('/admin/failed-events').expect(200);
    expect(body.items).toEqual(expect.arrayContaining([expect.objectContaining({ externalId: other._id, lastError: expect.stringContaining('USD') })]));
  });

  it('reconciles: a dry run reports drift as a conflict; a real run sets the award', async () => {
    const user = users[6];
    const award = h.pepper.awardsOf(user).find((a) => a.perkId === WALLET_PERK)!;
    const wallet = Math.trunc((h.crm.walletBalanceMinor(h.crm.findContactByCode(user)!.id) * RATE) / 100);
    h.pepper.setAwardPoints(award._id, wallet + 777); // a silent change (PUT emits no action)

    const dry = await h.admin.post('/admin/resync', { scope: 'awards' }).expect(202);
    await pollUntilRunEnds(h, dry.body.runId); // the run waits for both feeds to pass its snapshot before it reports
    expect((await h.admin.get(`/admin/runs/${dry.body.runId}`).expect(200)).body).toMatchObject({ state: 'DONE', counts: { drifting: 1 } });
    const conflict = (await h.admin.get(`/admin/conflicts?status=open&kind=BALANCE_DRIFT&pepperUserId=${user}`).expect(200)).body.items[0];
    expect(conflict.details).toMatchObject({ pepperPoints: wallet + 777, walletPoints: wallet });
    expect(pepperPoints(h, user)).toBe(wallet + 777);

    const fix = await h.admin.post('/admin/resync', { scope: 'awards', dryRun: false }).expect(202);
    await pollUntilRunEnds(h, fix.body.runId);
    await settle(h); // the correction's echo comes back and is recognised
    expect((await h.admin.get(`/admin/runs/${fix.body.runId}`).expect(200)).body.counts).toMatchObject({ fixed: 1 });
    expect(pepperPoints(h, user)).toBe(wallet);
    expect((await h.admin.get(`/admin/conflicts?kind=BALANCE_DRIFT&pepperUserId=${user}`).expect(200)).body.items[0].status).toBe('RESOLVED');
    expect(await balanceMismatches(h)).toEqual([]);
  });
});
