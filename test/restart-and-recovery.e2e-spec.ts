import { seedDemoData, DemoExpectations, DEFAULT_MIX } from '../packages/simulators/src/demo/demo-data';
import { startHarness, waitFor } from './support/harness';

function codesOf(contacts: Array<{ code: string | null }>): string[] {
  return contacts.map((c) => c.code).filter((c): c is string => Boolean(c));
}

describe('restarts and lost answers (e2e)', () => {
  it('a restart in the middle of the seed creates no duplicate contact and loses no user', async () => {
    let expected!: DemoExpectations;
    const h = await startHarness({ seed: (pepper, crm) => (expected = seedDemoData(pepper, crm, DEFAULT_MIX)) });
    try {
      // Slow contact creation down so the restart lands mid-seed.
      h.crm.faults.add({ method: 'POST', path: /^\/contacts$/, fault: { kind: 'delay', ms: 15 } });
      await waitFor(async () => {
        const { body } = await h.admin.get('/admin/links?limit=500').expect(200);
        if (body.items.length < 40) throw new Error(`only ${body.items.length} links so far`);
      });
      const firstRun = (await h.admin.get('/admin/status').expect(200)).body.jobs['users-seed'].runId;
      await h.restart();
      await h.idle();

      const status = (await h.admin.get('/admin/status').expect(200)).body;
      expect((await h.admin.get(`/admin/runs/${firstRun}`).expect(200)).body.state).toBe('STOPPED');
      expect(status.jobs['users-seed']).toMatchObject({ state: 'DONE', trigger: 'STARTUP' });
      expect(status.jobs['users-seed'].runId).not.toBe(firstRun);

      const codes = codesOf(h.crm.contacts());
      expect(new Set(codes).size).toBe(codes.length);
      expect(codes.sort()).toEqual([...expected.created].sort());
      const conflicts = Object.values(expected.conflicts).flat().length + expected.contestedPairs.length;
      expect(status.totals.links).toEqual({ LINKED: expected.totalUsers - expected.deleted.length - conflicts, CONFLICT: conflicts });
      expect(status.totals.failedEvents).toBe(0);
    } finally {
      await h.close();
    }
  });

  it('a contact creation whose answer is lost (timeout after CRM.COM made it) is settled by read-back, never sent twice', async () => {
    const h = await startHarness({
      env: { HTTP_TIMEOUT_MS: '300' },
      seed: (pepper) => {
        pepper.addUser({ firstName: 'Tim', lastName: 'Out', email: 'tim@demo.example' }, { emitAction: false });
      },
    });
    try {
      await h.idle();
      // The first seed created the contact normally; now a new user's creation is answered too late.
      const user = h.pepper.addUser({ firstName: 'Lou', lastName: 'Late', email: 'lou@demo.example' });
      h.crm.faults.add({ method: 'POST', path: /^\/contacts$/, times: 1, fault: { kind: 'lateAnswer', ms: 600 } });
      // The connector times out, reads back by code, finds the contact and links it: no second POST.
      const res = await h.admin.post(`/admin/resync/users/${user.id}`).expect(200);
      expect(res.body).toMatchObject({ result: 'CREATED', link: { status: 'LINKED', crmContactId: h.crm.findContactByCode(user.id)?.id } });
      await h.admin.post(`/admin/resync/users/${user.id}`).expect(200);
      const creations = h.crm.requests.filter((r) => r.method === 'POST' && r.path === '/contacts' && (r.body as { code?: string } | undefined)?.code === user.id);
      expect(creations).toHaveLength(1);
      expect(codesOf(h.crm.contacts()).filter((c) => c === user.id)).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});
