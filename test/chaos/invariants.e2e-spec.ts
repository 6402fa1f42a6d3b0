import request from 'supertest';
import { CRM_API_KEY } from '../support/harness';
import { pepperPoints, settle, WALLET_PERK } from '../support/loyalty';
import { addUsers, ChaosHarness, ORDER_ITEMS, orderRef, startChaosHarness } from '../support/chaos/chaos-harness';
import { queryDb, writeDb } from '../support/chaos/db';
import { actionsEmittedOverHttp } from '../support/chaos/instrument';
import { checkInvariants, INVARIANTS, violationsOf } from '../support/chaos/invariants';

/** The checker is only worth something if it can fail: each invariant is broken on purpose and must be reported. */
describe('chaos invariants: the checker reports each broken invariant', () => {
  let h: ChaosHarness;
  let users: string[] = [];
  const crmHttp = () => request(h.crm.app);
  const store = () => (h.crm as unknown as { store: { purchases: Map<string, unknown>; journals: Map<string, unknown> } }).store;
  const contactOf = (userId: string) => h.crm.findContactByCode(userId)!.id;

  beforeAll(async () => {
    h = await startChaosHarness({
      // a goodwill grant made in the app is credited here (the default opens a conflict instead)
      env: { PEPPER_WALLET_EARNING: 'credit' },
      crm: { rewardOffers: [{ name: '10% back', percent: 10 }] },
      seed: (pepper) => {
        users = addUsers(pepper, 'Inv', 4);
      },
    });
    await settle(h);
  });
  afterAll(() => h.close());

  it('holds on a clean run with orders, Pepper redemptions and CRM.COM movements', async () => {
    for (let i = 0; i < 8; i++) h.pepper.completeOrder(users[i % 4], { orderId: `inv-${i}`, total: '10.00', items: ORDER_ITEMS });
    await settle(h);
    const award = h.pepper.awardsOf(users[0]).find((a) => a.perkId === WALLET_PERK)!;
    h.pepper.redeemAward(users[0], award._id, 50);
    h.crm.posAward(contactOf(users[1]), '1.50');
    await settle(h);
    // Every kind of Pepper movement on the wallet perk: a refund, a goodwill grant made in the app, a reset.
    const award2 = h.pepper.awardsOf(users[2]).find((a) => a.perkId === WALLET_PERK)!;
    h.pepper.refundAward(users[2], award2._id, 30);
    h.clock.advance(5); // distinct timestamps (same-millisecond ties are their own case in event-edge-cases)
    h.pepper.grantAward(users[2], WALLET_PERK, 25);
    await settle(h);
    h.pepper.resetAward(award2._id, 120);
    await settle(h);
    expect(h.crm.walletBalanceMinor(contactOf(users[2]))).toBe(120);
    expect(pepperPoints(h, users[1])).toBe(200 + 150);
    expect(actionsEmittedOverHttp(h.pepper)!.size).toBeGreaterThan(0);
    expect(await checkInvariants(h)).toEqual([]);
  });

  it('reports a second purchase made for one order', async () => {
    const reference = orderRef(h.config, 'inv-0');
    await crmHttp()
      .post('/purchases')
      .set('api_key', CRM_API_KEY)
      .send({ reference_number: reference, contact: { id: contactOf(users[0]) }, currency_code: 'EUR', transaction_amounts: { total: 10 } })
      .expect(201);
    expect(violationsOf(await checkInvariants(h), INVARIANTS.purchaseDuplicate)).toEqual([expect.stringContaining(reference)]);
  });

  it('reports an order that has no purchase', async () => {
    const reference = orderRef(h.config, 'inv-1');
    const purchase = h.crm.purchases().find((p) => p.referenceNumber === reference)!;
    store().purchases.delete(purchase.id);
    expect(violationsOf(await checkInvariants(h), INVARIANTS.purchaseOnce)).toEqual(expect.arrayContaining([expect.stringContaining('order inv-1 ')]));
  });

  it('reports a purchase made for an order that does not exist', async () => {
    const reference = orderRef(h.config, 'never-ordered');
    await crmHttp()
      .post('/purchases')
      .set('api_key', CRM_API_KEY)
      .send({ reference_number: reference, contact: { id: contactOf(users[2]) }, currency_code: 'EUR', transaction_amounts: { total: 1 } })
      .expect(201);
    expect(violationsOf(await checkInvariants(h), INVARIANTS.purchasePhantom)).toEqual([expect.stringContaining(reference)]);
  });

  it('reports a Pepper movement without its journal, and a journal written twice', async () => {
    const redeem = h.pepper.actions().find((a) => a.type === 'REDEEM_PERK' && !actionsEmittedOverHttp(h.pepper)!.has(a._id))!;
    const reference = `pepper:${h.config.pepper.applicationId}:action:${redeem._id}`;
    const journal = h.crm.journals().find((j) => j.referenceNumber === reference)!;
    store().journals.delete(journal.id);
    expect(violationsOf(await checkInvariants(h), INVARIANTS.journalOnce)).toEqual([expect.stringContaining(redeem._id)]);

    const body = { action: 'CREDIT', entity: 'WALLET', amount: 0.01, currency_code: 'EUR', reference_number: reference };
    for (let i = 0; i < 2; i++) await crmHttp().post(`/contacts/${contactOf(users[0])}/journals`).set('api_key', CRM_API_KEY).send(body).expect(201);
    expect(violationsOf(await checkInvariants(h), INVARIANTS.journalDuplicate)).toEqual([expect.stringContaining(reference)]);
  });

  it("reports the connector's own grant mirrored back to CRM.COM (an echo loop)", async () => {
    const echo = [...actionsEmittedOverHttp(h.pepper)!][0];
    const reference = `pepper:${h.config.pepper.applicationId}:action:${echo}`;
    await crmHttp()
      .post(`/contacts/${contactOf(users[3])}/journals`)
      .set('api_key', CRM_API_KEY)
      .send({ action: 'CREDIT', entity: 'WALLET', amount: 0.01, currency_code: 'EUR', reference_number: reference })
      .expect(201);
    expect(violationsOf(await checkInvariants(h), INVARIANTS.echoMirrored)).toEqual(expect.arrayContaining([expect.stringContaining(echo)]));
  });

  it("reports a merchant's movement taken for the connector's own echo", async () => {
    const award = h.pepper.awardsOf(users[3]).find((a) => a.perkId === WALLET_PERK)!;
    h.pepper.redeemAward(users[3], award._id, 10);
    const merchant = h.pepper.actions().at(-1)!;
    const [row] = await queryDb<{ id: number }>(h.config.databasePath, "SELECT id FROM outbound_write WHERE target = 'pepper' AND kind = 'GRANT' ORDER BY id LIMIT 1");
    await writeDb(h.config.databasePath, 'UPDATE outbound_write SET matchedActionId = ? WHERE id = ?', [merchant._id, row.id]);
    expect(violationsOf(await checkInvariants(h), INVARIANTS.echoMisattributed)).toEqual([expect.stringContaining(merchant._id)]);
  });

  it('reports a Pepper balance that differs from the wallet', async () => {
    const award = h.pepper.awardsOf(users[2]).find((a) => a.perkId === WALLET_PERK)!;
    h.pepper.setAwardPoints(award._id, award.points.available + 777); // PUT emits no action: a silent skew
    expect(violationsOf(await checkInvariants(h), INVARIANTS.balance)).toEqual(expect.arrayContaining([expect.stringContaining(users[2])]));
  });

  it('reports an action behind the cursor that was never taken in', async () => {
    const [{ cursor }] = await queryDb<{ cursor: string }>(h.config.databasePath, "SELECT cursor FROM sync_state WHERE feed = 'pepper.actions'");
    const late = h.pepper.emitAction({ type: 'USER_CHANGED', userId: users[1], at: new Date(Date.parse(cursor) - 1) });
    expect(violationsOf(await checkInvariants(h), INVARIANTS.cursor)).toEqual([expect.stringContaining(late._id)]);
  });
});
