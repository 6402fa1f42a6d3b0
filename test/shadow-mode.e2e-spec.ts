import { StartupRefusedError } from '../src/common/startup-refused';
import { pepperPoints, settle, WALLET_PERK } from './support/loyalty';
import { ChaosHarness, startChaosHarness } from './support/chaos/chaos-harness';

/**
 * SYNC_MODE=shadow, the go-live rehearsal: both sides are read and every decision is made, but nothing is written
 * upstream; each write the connector would make is listed. The first live start afterwards is a first start: the feeds
 * begin at the switch, and nothing shadowed is replayed.
 */
describe('shadow mode (e2e)', () => {
  let h: ChaosHarness;
  let newUser = '';
  let existingUser = '';
  let existingContact = '';
  const upstreamWrites = () => ({
    pepper: h.pepper.requests.filter((r) => r.method !== 'GET').length,
    crm: h.crm.requests.filter((r) => r.method !== 'GET' && !r.path.startsWith('/users/')).length,
  });

  beforeAll(async () => {
    h = await startChaosHarness({
      env: { SYNC_MODE: 'shadow' },
      crm: { rewardOffers: [{ name: '10% back', percent: 10 }] },
      seed: (pepper, crm) => {
        newUser = pepper.addUser({ firstName: 'Nova', lastName: 'Shadow', email: 'nova@shadow.example' }, { emitAction: false }).id;
        existingUser = pepper.addUser({ firstName: 'Eli', lastName: 'Shadow', email: 'eli@shadow.example' }, { emitAction: false }).id;
        existingContact = crm.addContact({ firstName: 'Eli', lastName: 'Shadow', email: 'eli@shadow.example', balance: '4.00' }).id;
        pepper.grantAward(newUser, WALLET_PERK, 300, { at: new Date(Date.now() - 3_600_000) });
      },
    });
    await settle(h);
  });
  afterAll(() => h.close());

  it('reads both sides and writes nothing upstream, listing every write it would make', async () => {
    const contactsBefore = h.crm.contacts().length;
    // posted_on has whole seconds: the spend comes in a later second than the opening balance was read
    h.clock.advance(2_000);
    h.pepper.completeOrder(existingUser, { orderId: 'shadow-1', total: '10.00', items: [] });
    h.crm.posSpend(existingContact, '1.00');
    await settle(h);
    expect(upstreamWrites()).toEqual({ pepper: 0, crm: 0 });
    expect(h.crm.contacts()).toHaveLength(contactsBefore);
    expect(h.crm.purchases()).toEqual([]);

    const { body } = await h.admin.get('/admin/shadow-writes?limit=100').expect(200);
    const kinds = body.items.map((w: { target: string; kind: string }) => `${w.target}.${w.kind}`).sort();
    // the new user's contact; the existing contact's opening balance (wallet 4.00 → +400 points); the order's purchase;
    // the POS spend's redeem
    expect(kinds).toEqual(expect.arrayContaining(['crmcom.CONTACT_CREATE', 'crmcom.PURCHASE', 'pepper.GRANT', 'pepper.REDEEM']));
    const purchase = body.items.find((w: { kind: string }) => w.kind === 'PURCHASE');
    expect(purchase).toMatchObject({ state: 'SHADOW', amountMinor: 1000, wouldSend: expect.objectContaining({ contactId: existingContact }) });
    const status = (await h.admin.get('/admin/status').expect(200)).body;
    expect(status.syncMode).toMatchObject({ mode: 'shadow', shadowWrites: expect.objectContaining({ 'crmcom.PURCHASE': 1 }) });
  });

  it('switching to live starts from the switch: contacts and openings are made for real, shadowed movements are not replayed', async () => {
    h.config.syncMode = 'live';
    await h.restart();
    await settle(h);
    expect(h.crm.findContactByCode(newUser)).toBeDefined();
    expect(pepperPoints(h, newUser)).toBe(300);
    expect(h.crm.walletBalanceMinor(h.crm.findContactByCode(newUser)!.id)).toBe(300); // the opening credit, once
    expect(pepperPoints(h, existingUser)).toBe(300); // the wallet after the POS spend (3.00), brought over at the opening
    expect(h.crm.purchases()).toEqual([]); // the order made during the rehearsal is not bought
    h.pepper.completeOrder(existingUser, { orderId: 'live-1', total: '10.00', items: [] });
    await settle(h);
    expect(h.crm.purchases().map((p) => p.referenceNumber)).toEqual([`pepper:${h.config.pepper.applicationId}:order:live-1`]);
    // the rehearsal's writes stay listed for reference
    expect((await h.admin.get('/admin/shadow-writes').expect(200)).body.items.length).toBeGreaterThan(0);
  });

  it('refuses shadow mode on a database that has run live', async () => {
    h.config.syncMode = 'shadow';
    await expect(h.restart()).rejects.toBeInstanceOf(StartupRefusedError);
    h.config.syncMode = 'live';
    await h.restart();
  });
});
