import { startHarness, waitFor } from './support/harness';
import { balanceMismatches, LOYALTY_ENV, pepperPoints, settle, WALLET_PERK } from './support/loyalty';

describe('loyalty writes under restarts and lost answers (e2e)', () => {
  it('a restart in the middle of a batch of orders, with purchase answers lost, makes no duplicate purchase', async () => {
    const users: string[] = [];
    const h = await startHarness({
      env: { ...LOYALTY_ENV, HTTP_TIMEOUT_MS: '250' },
      crm: { rewardOffers: [{ name: '5% back', percent: 5 }] },
      seed: (pepper) => {
        pepper.addPerk({ id: WALLET_PERK, title: 'Wallet', template: 'PSEUDO_CURRENCY' });
        for (let i = 0; i < 5; i++) users.push(pepper.addUser({ firstName: `R${i}`, lastName: 'Restart', email: `restart${i}@demo.example` }, { emitAction: false }).id);
      },
    });
    try {
      await settle(h, 1);
      for (let i = 0; i < 30; i++) h.pepper.completeOrder(users[i % 5], { orderId: `batch-${i}`, total: '10.00', items: [] });
      // Three purchases are made by CRM.COM but their answers arrive after the timeout; the rest go slowly.
      h.crm.faults.add({ method: 'POST', path: /^\/purchases$/, times: 3, fault: { kind: 'lateAnswer', ms: 400 } });
      h.crm.faults.add({ method: 'POST', path: /^\/purchases$/, fault: { kind: 'delay', ms: 20 } });
      void settle(h, 1).catch(() => undefined);
      await waitFor(() => expect(h.crm.purchases().length).toBeGreaterThanOrEqual(10));
      await h.restart();
      h.crm.faults.clear();
      // Writes in doubt settle by read-back as the feeds go round; on a busy machine more of the 250 ms calls time out,
      // so the feeds are run until every order has its purchase (bounded), and duplicates are checked after.
      await waitFor(async () => {
        await settle(h, 1);
        expect(h.crm.purchases()).toHaveLength(30);
      }, 60_000);
      await settle(h);

      const references = h.crm.purchases().map((p) => p.referenceNumber);
      expect(references).toHaveLength(30);
      expect(new Set(references).size).toBe(30);
      expect((await h.admin.get('/admin/failed-events').expect(200)).body.items).toEqual([]);
      expect(await balanceMismatches(h)).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('a Pepper grant whose answer is lost is settled by its echo, never granted twice', async () => {
    let userId = '';
    const h = await startHarness({
      env: { ...LOYALTY_ENV, HTTP_TIMEOUT_MS: '250' },
      seed: (pepper) => {
        pepper.addPerk({ id: WALLET_PERK, title: 'Wallet', template: 'PSEUDO_CURRENCY' });
        userId = pepper.addUser({ firstName: 'Gia', lastName: 'Grant', email: 'gia@demo.example' }, { emitAction: false }).id;
      },
    });
    try {
      await settle(h, 1);
      const contactId = h.crm.findContactByCode(userId)!.id;
      h.pepper.faults.add({ method: 'POST', path: /^\/pointperks\/.+\/awards$/, times: 1, fault: { kind: 'lateAnswer', ms: 400 } });
      h.crm.posAward(contactId, '4.00');
      // The movement waits (deferred) until the actions feed has passed the attempt, then the echo settles it.
      await waitFor(async () => {
        await settle(h, 1);
        const { body } = await h.admin.get('/admin/status').expect(200);
        expect(body.totals.events.PENDING ?? 0).toBe(0);
      }, 20_000);
      expect(await balanceMismatches(h)).toEqual([]);
      expect(pepperPoints(h, userId)).toBe(400);
      const grants = h.pepper.actions().filter((a) => a.type === 'REWARD_EARNED' && a.context.user?._id === userId);
      expect(grants).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});
