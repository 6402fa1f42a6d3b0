import request from 'supertest';
import { SyncJobs } from '../src/sync/sync-jobs';
import { ADMIN_TOKEN, Harness, startHarness } from './support/harness';

describe('admin API (e2e)', () => {
  let h: Harness;
  const ids: Record<string, string> = {};
  const contacts: Record<string, string> = {};

  beforeAll(async () => {
    h = await startHarness({
      seed: (pepper, crm) => {
        ids.plain = pepper.addUser({ firstName: 'Pat', lastName: 'Plain', email: 'pat@demo.example' }, { emitAction: false }).id;
        contacts.a = crm.addContact({ firstName: 'Amy', lastName: 'A', email: 'amy@demo.example' }).id;
        contacts.b = crm.addContact({ firstName: 'Amy', lastName: 'B', email: 'amy@demo.example' }).id;
        ids.ambiguous = pepper.addUser({ firstName: 'Amy', lastName: 'Ambiguous', email: 'amy@demo.example' }, { emitAction: false }).id;
        contacts.c = crm.addContact({ firstName: 'Cy', lastName: 'C', email: 'cy@demo.example' }).id;
        contacts.d = crm.addContact({ firstName: 'Cy', lastName: 'D', email: 'cy@demo.example' }).id;
        ids.ambiguous2 = pepper.addUser({ firstName: 'Cy', lastName: 'Ambiguous', email: 'cy@demo.example' }, { emitAction: false }).id;
        contacts.e = crm.addContact({ firstName: 'Ed', lastName: 'E', email: 'ed@demo.example' }).id;
        ids.unverified = pepper.addUser({ firstName: 'Ed', lastName: 'Typed', email: 'ed@demo.example', emailVerified: false }, { emitAction: false }).id;
      },
    });
    await h.idle();
  });
  afterAll(() => h.close());

  const conflictOf = async (pepperUserId: string) =>
    (await h.admin.get(`/admin/conflicts?pepperUserId=${pepperUserId}`).expect(200)).body.items[0];

  describe('authentication', () => {
    it.each([
      ['no header', undefined],
      ['a wrong token', 'Bearer wrong-token-wrong-token-wrong'],
      ['the token without Bearer', ADMIN_TOKEN],
    ])('refuses %s with 401', async (_, header) => {
      const req = request(h.app.getHttpServer()).get('/admin/status');
      const res = await (header ? req.set('Authorization', header) : req).expect(401);
      expect(res.body).toMatchObject({ statusCode: 401 });
      expect(JSON.stringify(res.body)).not.toContain(ADMIN_TOKEN);
    });

    it('leaves /health open', async () => {
      await request(h.app.getHttpServer()).get('/health').expect(200, { status: 'ok', database: 'up' });
    });
  });

  it('GET /admin/status shows feeds, the last run of each job and totals', async () => {
    const { body } = await h.admin.get('/admin/status').expect(200);
    expect(body.jobs['users-seed']).toMatchObject({ state: 'DONE', counts: { created: 1, conflict: 3 } });
    expect(body.totals).toMatchObject({ links: { LINKED: 1, CONFLICT: 3 }, openConflicts: 3, failedEvents: 0 });
    expect(body.feeds.map((f: { feed: string }) => f.feed)).toEqual(['crmcom.journals', 'pepper.actions', 'pepper.users-seed']);
    expect(body.loyalty).toMatchObject({ state: 'DISABLED', reason: expect.stringContaining('PSEUDO_CURRENCY') });
  });

  describe('POST /admin/resync', () => {
    it('starts the users job (202 with a runId) and answers 409 while it runs', async () => {
      const started = await h.admin.post('/admin/resync', { scope: 'users', actor: 'ops@merchant' }).expect(202);
      expect(started.body.runId).toEqual(expect.any(String));
      await h.admin.post('/admin/resync', { scope: 'users' }).expect(409);
      await h.idle();
      const run = await h.admin.get(`/admin/runs/${started.body.runId}`).expect(200);
      expect(run.body).toMatchObject({ job: 'users-seed', trigger: 'ADMIN', state: 'DONE', actor: 'ops@merchant', counts: { unchanged: 1, conflict: 3 } });
    });

    it.each([
      [{ scope: 'everything' }, 'scope must be one of the following values'],
      [{}, 'scope must be one of the following values'],
      [{ scope: 'all', since: 'last tuesday' }, 'since must be a valid ISO 8601 date string'],
      [{ scope: 'users', dryRun: 'yes' }, 'dryRun must be a boolean value'],
      [{ scope: 'users', extra: 1 }, 'property extra should not exist'],
    ])('refuses %j with a 400 naming the field', async (body, message) => {
      const res = await h.admin.post('/admin/resync', body).expect(400);
      expect(res.body.message.join(' ')).toContain(message);
    });

    it('answers 409 with the reason for the loyalty scopes while loyalty is off', async () => {
      const res = await h.admin.post('/admin/resync', { scope: 'awards' }).expect(409);
      expect(res.body.message).toContain('loyalty');
    });

    it('dry-runs a backfill with scope "all" and since', async () => {
      h.pepper.addUser({ firstName: 'Old', lastName: 'Timer', email: 'old@demo.example' }, { at: new Date(Date.now() - 3_600_000) });
      const res = await h.admin.post('/admin/resync', { scope: 'all', since: new Date(Date.now() - 86_400_000).toISOString() }).expect(202);
      await h.idle();
      const run = await h.admin.get(`/admin/runs/${res.body.runIds['actions-backfill']}`).expect(200);
      expect(run.body).toMatchObject({ job: 'actions-backfill', state: 'DONE', params: { dryRun: true }, counts: { 'wouldProcess.USER_CREATED': 1 } });
      // A dry run takes nothing in: the action is counted, not recorded or processed.
      expect(run.body.counts.actionsNew).toBeUndefined();
      const events = await h.admin.get('/admin/status').expect(200);
      expect(events.body.totals.events.PENDING ?? 0).toBe(0);
    });
  });

  it('POST /admin/resync/users/:id re-syncs one user and answers with the link', async () => {
    h.pepper.updateUser(ids.plain, { lastName: 'Changed' });
    const res = await h.admin.post(`/admin/resync/users/${ids.plain}`).expect(200);
    expect(res.body).toMatchObject({ result: 'UPDATED', link: { pepperUserId: ids.plain, status: 'LINKED', matchedBy: 'CREATED' } });
    expect(h.crm.getContact(res.body.link.crmContactId)?.lastName).toBe('Changed');
    await h.admin.post('/admin/resync/users/no-such-user').expect(404);
    await h.admin.post('/admin/resync/users/bad%20id!').expect(400);
  });

  it('GET /admin/links filters and pages with nextCursor', async () => {
    const first = await h.admin.get('/admin/links?limit=2').expect(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await h.admin.get(`/admin/links?limit=2&cursor=${first.body.nextCursor}`).expect(200);
    const seen = [...first.body.items, ...second.body.items].map((l: { pepperUserId: string }) => l.pepperUserId);
    expect(new Set(seen).size).toBe(seen.length);
    const conflicted = await h.admin.get('/admin/links?status=conflict').expect(200);
    expect(conflicted.body.items.map((l: { pepperUserId: string }) => l.pepperUserId).sort()).toEqual([ids.ambiguous, ids.ambiguous2, ids.unverified].sort());
    expect(conflicted.body.items[0]).toMatchObject({ crmContactId: null, status: 'CONFLICT' });
    await h.admin.get('/admin/links?limit=501').expect(400);
    await h.admin.get('/admin/links?cursor=abc').expect(400);
  });

  describe('POST /admin/conflicts/:id/resolve', () => {
    it('links to a named candidate, resolving the conflict and recording the actor', async () => {
      const conflict = await conflictOf(ids.ambiguous);
      expect(conflict).toMatchObject({ kind: 'AMBIGUOUS_MATCH', status: 'OPEN' });
      expect(conflict.candidateContactIds.sort()).toEqual([contacts.a, contacts.b].sort());
      const res = await h.admin.post(`/admin/conflicts/${conflict.id}/resolve`, { action: 'link', crmContactId: contacts.a, actor: 'ops@merchant' }).expect(200);
      expect(res.body.conflict).toMatchObject({ status: 'RESOLVED', resolvedBy: 'ops@merchant', resolution: expect.stringContaining(`linked to contact ${contacts.a}`) });
      expect(res.body.link).toMatchObject({ pepperUserId: ids.ambiguous, crmContactId: contacts.a, status: 'LINKED', matchedBy: 'MANUAL' });
      await h.admin.post(`/admin/conflicts/${conflict.id}/resolve`, { action: 'ignore' }).expect(409);
    });

    it('refuses to link a contact that is linked to someone else, or does not exist', async () => {
      const conflict = await conflictOf(ids.ambiguous2);
      await h.admin.post(`/admin/conflicts/${conflict.id}/resolve`, { action: 'link', crmContactId: contacts.a }).expect(409);
      const res = await h.admin.post(`/admin/conflicts/${conflict.id}/resolve`, { action: 'link', crmContactId: 'no-such-contact' }).expect(400);
      expect(res.body.message).toContain('crmContactId');
    });

    it('creates a new contact on request', async () => {
      const conflict = await conflictOf(ids.ambiguous2);
      const res = await h.admin.post(`/admin/conflicts/${conflict.id}/resolve`, { action: 'create' }).expect(200);
      expect(res.body.conflict.status).toBe('RESOLVED');
      expect(res.body.link).toMatchObject({ status: 'LINKED', matchedBy: 'CREATED' });
      expect(h.crm.findContactByCode(ids.ambiguous2)?.id).toBe(res.body.link.crmContactId);
    });

    it('ignores on request, leaving the user unlinked', async () => {
      const conflict = await conflictOf(ids.unverified);
      const res = await h.admin.post(`/admin/conflicts/${conflict.id}/resolve`, { action: 'ignore', actor: 'ops' }).expect(200);
      expect(res.body.conflict).toMatchObject({ status: 'IGNORED', resolvedBy: 'ops' });
      const open = await h.admin.get('/admin/conflicts?status=open').expect(200);
      expect(open.body.items).toEqual([]);
    });

    it.each([
      [{ action: 'link' }, 'crmContactId'],
      [{ action: 'merge' }, 'action must be one of the following values'],
    ])('refuses %j with a 400 naming the field', async (body, field) => {
      const res = await h.admin.post('/admin/conflicts/1/resolve', body).expect(400);
      expect(JSON.stringify(res.body.message)).toContain(field);
    });

    it('answers 404 for an unknown conflict and 400 for a bad id', async () => {
      await h.admin.post('/admin/conflicts/99999/resolve', { action: 'ignore' }).expect(404);
      const res = await h.admin.post('/admin/conflicts/abc/resolve', { action: 'ignore' }).expect(400);
      expect(res.body.message).toContain('id');
    });
  });

  describe('failed events', () => {
    it('lists a parked event and retries it from the API', async () => {
      const user = h.pepper.addUser({ firstName: 'Fay', lastName: 'Fails', email: 'fay@demo.example' });
      // Every contact creation fails with a 400 for a while: the event is parked, the feed goes on.
      h.crm.faults.add({ method: 'POST', path: /^\/contacts$/, fault: { kind: 'status', status: 400, body: { status: 400, message: 'bad', error: 'CRM.EXCEPTIONS.INVALIDVALUEEXCEPTION', parameters: ['first_name'] } } });
      await (await h.app.get(SyncJobs).startActionsPoll('ADMIN')).done;
      const failed = await h.admin.get('/admin/failed-events').expect(200);
      const event = failed.body.items.find((e: { pepperUserId: string }) => e.pepperUserId === user.id);
      expect(event).toMatchObject({ source: 'pepper', type: 'USER_CREATED', attempts: 1, lastError: expect.stringContaining('400') });

      h.crm.faults.clear();
      const retried = await h.admin.post(`/admin/failed-events/${event.id}/retry`).expect(200);
      expect(retried.body).toMatchObject({ id: event.id, state: 'DONE' });
      expect(h.crm.findContactByCode(user.id)).toBeDefined();
      await h.admin.post(`/admin/failed-events/${event.id}/retry`).expect(409);
      await h.admin.post('/admin/failed-events/424242/retry').expect(404);
    });
  });

  it('refuses oversized bodies', async () => {
    const res = await h.admin.post('/admin/resync', { scope: 'users', actor: 'x'.repeat(64 * 1024) });
    expect(res.status).toBe(413);
  });
});
