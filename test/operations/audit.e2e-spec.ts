import { captureLogs } from '../support/upstream/log-capture';
import { Harness, startHarness } from '../support/harness';

describe('audit trail of admin changes (e2e)', () => {
  let h: Harness;
  let logs: ReturnType<typeof captureLogs>;

  beforeAll(async () => {
    h = await startHarness({
      seed: (pepper, crm) => {
        // Two contacts hold the same email: the user gets an AMBIGUOUS_MATCH conflict.
        crm.addContact({ firstName: 'A', lastName: 'One', email: 'twin@demo.example' });
        crm.addContact({ firstName: 'A', lastName: 'Two', email: 'twin@demo.example' });
        pepper.addUser({ firstName: 'Tia', lastName: 'Twin', email: 'twin@demo.example' }, { emitAction: false });
      },
    });
    await h.idle();
    logs = captureLogs();
  });
  afterAll(async () => {
    logs.restore();
    await h.close();
  });

  it('records who did what, the row before and the answer after, and refused calls; GET /admin/audit pages them', async () => {
    const open = (await h.admin.get('/admin/conflicts?status=open').expect(200)).body.items;
    expect(open).toHaveLength(1);
    const conflictId = open[0].id as number;
    await h.admin.post(`/admin/conflicts/${conflictId}/resolve`, { action: 'ignore', actor: 'ops@merchant' }).expect(200);
    await h.admin.post('/admin/conflicts/99999/resolve', { action: 'ignore' }).expect(404);
    await h.admin.post('/admin/resync', { scope: 'perks' }).expect(202);
    await h.idle();

    const page1 = (await h.admin.get('/admin/audit?limit=2').expect(200)).body;
    expect(page1.items).toHaveLength(2);
    expect(page1.nextCursor).not.toBeNull();
    const page2 = (await h.admin.get(`/admin/audit?limit=2&cursor=${page1.nextCursor}`).expect(200)).body;
    const all = [...page1.items, ...page2.items];
    expect(all).toEqual([
      expect.objectContaining({
        actor: 'ops@merchant',
        action: 'POST /admin/conflicts/:id/resolve',
        target: { id: String(conflictId) },
        params: { action: 'ignore', actor: 'ops@merchant' },
        before: expect.objectContaining({ id: conflictId, status: 'OPEN', kind: 'AMBIGUOUS_MATCH' }),
        after: expect.objectContaining({ conflict: expect.objectContaining({ status: 'IGNORED' }) }),
        result: 'ok',
        status: 200,
      }),
      expect.objectContaining({ actor: 'unnamed', action: 'POST /admin/conflicts/:id/resolve', result: 'error', status: 404, error: expect.stringContaining('99999') }),
      expect.objectContaining({ actor: 'unnamed', action: 'POST /admin/resync', params: { scope: 'perks' }, result: 'ok', status: 202, after: { runId: expect.any(String), runIds: expect.any(Object) } }),
    ]);
    // Reads are not audited.
    expect(all.some((e: { action: string }) => e.action.startsWith('GET'))).toBe(false);
    expect((await h.admin.get('/admin/audit?actor=ops@merchant').expect(200)).body.items).toHaveLength(1);

    const lines = logs.lines().filter((l) => l.includes('"event":"admin_action"'));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain('"actor":"ops@merchant"');
    expect(lines[0]).toContain('"result":"ok"');
  });

  it('GET /admin/audit needs the token', async () => {
    const request = (await import('supertest')).default;
    await request(h.app.getHttpServer()).get('/admin/audit').expect(401);
  });
});
