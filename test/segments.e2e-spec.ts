import request from 'supertest';
import { ADMIN_TOKEN, Harness, startHarness } from './support/harness';

interface SegmentView {
  source: string;
  pepperSegmentId: string | null;
  crm: { members: number; linked: number; unlinked: number } | null;
  pepper: { members: number } | null;
  lastRun: { state: string; added: number; removed: number } | null;
}

const USERS = 500;

async function resyncSegments(h: Harness): Promise<void> {
  await h.admin.post('/admin/resync', { scope: 'segments', actor: 'e2e' }).expect(202);
  await h.idle();
}

async function goldView(h: Harness): Promise<SegmentView> {
  const res = await h.admin.get('/admin/segments').expect(200);
  return (res.body.items as SegmentView[]).find((s) => s.source === 'tier:gold') as SegmentView;
}

describe('segments CRM.COM → Pepper (e2e)', () => {
  let h: Harness;
  let userIds: string[];
  let contactOf: (userId: string) => string;
  let strangerSegmentId: string;

  beforeAll(async () => {
    h = await startHarness({
      env: { SEGMENT_MAP: 'tier:gold=Gold members' },
      seed: (pepper) => {
        for (let i = 0; i < USERS; i++) pepper.addUser({ firstName: `U${i}`, lastName: 'Gold', email: `gold${i}@e2e.example` }, { emitAction: false });
        // Someone's own segment with the very title the connector would use: never adopted, never touched.
        const stranger = pepper.audiences.createSegment({ title: 'CRM: Gold members', type: 'PERSISTENT' });
        strangerSegmentId = stranger._id;
        pepper.audiences.addMembers(stranger._id, [pepper.users()[0].id]);
      },
    });
    await h.idle();
    userIds = h.pepper.users().map((u) => u.id);
    contactOf = (userId) => h.crm.findContactByCode(userId)!.id;
  }, 120_000);
  afterAll(() => h.close());

  const mirrorId = async () => (await goldView(h)).pepperSegmentId as string;
  const members = async () => new Set(h.pepper.audiences.members(await mirrorId()));

  it('mirrors a tier of 450 linked members (and 10 unlinked contacts) exactly, in calls of at most 100 users', async () => {
    const gold = userIds.slice(0, 450);
    const unlinked = Array.from({ length: 10 }, (_, i) => h.crm.addContact({ email: `nolink${i}@e2e.example` }).id);
    h.crm.setTier('gold', 'Gold', [...gold.map(contactOf), ...unlinked]);

    await resyncSegments(h);

    const view = await goldView(h);
    expect(view.pepperSegmentId).toBeTruthy();
    expect(view.pepperSegmentId).not.toBe(strangerSegmentId);
    const segment = h.pepper.audiences.getSegment(view.pepperSegmentId as string);
    expect(segment).toMatchObject({ title: 'CRM: Gold members', type: 'PERSISTENT' });
    expect(await members()).toEqual(new Set(gold));
    expect(view).toMatchObject({ crm: { members: 460, linked: 450, unlinked: 10 }, pepper: { members: 450 }, lastRun: { state: 'APPLIED', added: 450, removed: 0 } });
    const calls = h.pepper.audiences.membershipCalls.filter((c) => c.segmentId === view.pepperSegmentId);
    expect(calls.every((c) => c.count <= 100)).toBe(true);
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(5);
    // The look-alike segment the connector did not create is untouched.
    expect(h.pepper.audiences.members(strangerSegmentId)).toEqual([userIds[0]]);
  });

  it('applies a change: adds and removes the difference in chunks of at most 100, and a second run changes nothing', async () => {
    const leaving = userIds.slice(0, 60);
    const joining = userIds.slice(450, 500);
    h.crm.clearTier(leaving.map(contactOf));
    h.crm.setTier('gold', 'Gold', joining.map(contactOf));
    const before = h.pepper.audiences.membershipCalls.length;

    await resyncSegments(h);

    expect(await members()).toEqual(new Set([...userIds.slice(60, 450), ...joining]));
    expect((await goldView(h)).lastRun).toMatchObject({ state: 'APPLIED', added: 50, removed: 60 });
    const calls = h.pepper.audiences.membershipCalls.slice(before);
    expect(calls.map((c) => [c.method, c.count])).toEqual([['POST', 50], ['DELETE', 60]]);

    await resyncSegments(h);
    expect((await goldView(h)).lastRun).toMatchObject({ state: 'UNCHANGED', added: 0, removed: 0 });
    expect(h.pepper.audiences.membershipCalls.length).toBe(before + 2);
  });

  it('guards: an empty answer, an unfiltered answer or too many removals apply nothing and open a SEGMENT_GUARD conflict', async () => {
    const expected = await members();
    const calls = h.pepper.audiences.membershipCalls.length;

    h.crm.faults.add({ method: 'GET', path: /^\/contacts$/, fault: { kind: 'status', status: 200, body: { content: [], paging: { page: 1, size: 100, total: null, has_more: false } } }, times: 1 });
    await resyncSegments(h);
    expect(await members()).toEqual(expected);
    expect((await goldView(h)).lastRun).toMatchObject({ state: 'GUARDED' });
    const open = await h.admin.get('/admin/conflicts?status=open&kind=SEGMENT_GUARD').expect(200);
    expect(open.body.items).toHaveLength(1);
    expect(open.body.items[0].details).toMatchObject({ source: 'tier:gold', crmMembers: 0, pepperMembers: 440 });
    expect(open.body.items[0].details.reason).toContain('empty');

    h.crm.ignoredFilters.add('reward_tier_id');
    await resyncSegments(h);
    h.crm.ignoredFilters.clear();
    expect(await members()).toEqual(expected);
    const unfiltered = await h.admin.get('/admin/conflicts?status=open&kind=SEGMENT_GUARD').expect(200);
    expect(unfiltered.body.items).toHaveLength(1); // the same conflict, refreshed
    expect(unfiltered.body.items[0].details.reason).toContain('unfiltered');

    const dropped = userIds.slice(100, 300);
    h.crm.clearTier(dropped.map(contactOf));
    await resyncSegments(h);
    expect(await members()).toEqual(expected);
    const tooMany = await h.admin.get('/admin/conflicts?status=open&kind=SEGMENT_GUARD').expect(200);
    expect(tooMany.body.items[0].details.reason).toContain('SEGMENT_MAX_REMOVAL_PERCENT');
    expect(h.pepper.audiences.membershipCalls.length).toBe(calls);

    // Back within the guard: the next run applies and settles the conflict.
    h.crm.setTier('gold', 'Gold', dropped.map(contactOf));
    await resyncSegments(h);
    expect((await goldView(h)).lastRun).toMatchObject({ state: 'UNCHANGED' });
    expect((await h.admin.get('/admin/conflicts?status=open&kind=SEGMENT_GUARD').expect(200)).body.items).toHaveLength(0);
  });

  it('recreates a mirrored segment deleted in Pepper by hand', async () => {
    const old = await mirrorId();
    h.pepper.audiences.deleteSegment(old);
    await resyncSegments(h);
    const fresh = await mirrorId();
    expect(fresh).not.toBe(old);
    expect(h.pepper.audiences.members(fresh)).toHaveLength(440);
  });

  it('adds a source through PUT /admin/segments/:source and validates it', async () => {
    const put = (source: string, body: object) =>
      request(h.app.getHttpServer()).put(`/admin/segments/${source}`).set('Authorization', `Bearer ${ADMIN_TOKEN}`).send(body);
    await put('club:1', { name: 'Club' }).expect(400);
    await put('tag:vip', {}).expect(400);
    await request(h.app.getHttpServer()).put('/admin/segments/tag:vip').send({ name: 'VIP' }).expect(401);
    const res = await put('tag:vip', { name: 'VIP' }).expect(200);
    expect(res.body).toMatchObject({ source: 'tag:vip', kind: 'tag', title: 'CRM: VIP', origin: 'admin' });
    h.crm.tagContacts('vip', 'VIP', userIds.slice(0, 3).map(contactOf));
    await resyncSegments(h);
    const vip = ((await h.admin.get('/admin/segments').expect(200)).body.items as SegmentView[]).find((s) => s.source === 'tag:vip') as SegmentView;
    expect(new Set(h.pepper.audiences.members(vip.pepperSegmentId as string))).toEqual(new Set(userIds.slice(0, 3)));
  });
});
