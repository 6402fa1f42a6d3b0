import { FakeClock } from '../support/fakes/fake-clock';
import { startHarness } from '../support/harness';

// The totals of /admin/status count whole tables on the thread that also syncs: at most once per OPS_COUNTS_SECONDS.
describe('/admin/status totals with OPS_COUNTS_SECONDS (e2e)', () => {
  it('serves the last counts within the period and counts again after it', async () => {
    const clock = new FakeClock(new Date());
    const h = await startHarness({
      clock,
      env: { OPS_COUNTS_SECONDS: '10' },
      seed: (pepper) => pepper.addUser({ id: 'first', firstName: 'F', lastName: 'One', email: 'first@example.com' }, { emitAction: false }),
    });
    try {
      await h.idle();
      const linked = async () => (await h.admin.get('/admin/status').expect(200)).body.totals.links.LINKED as number;
      expect(await linked()).toBe(1);

      h.pepper.addUser({ id: 'second', firstName: 'S', lastName: 'Two', email: 'second@example.com' }, { emitAction: false });
      await h.admin.post('/admin/resync/users/second').expect(200);
      expect((await h.admin.get('/admin/links?status=LINKED').expect(200)).body.items).toHaveLength(2);
      expect(await linked()).toBe(1); // counted less than 10 s ago

      clock.advance(10_000);
      expect(await linked()).toBe(2);
    } finally {
      await h.close();
    }
  });
});
