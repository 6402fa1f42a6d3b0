import { seedDemoData, DemoExpectations } from '../packages/simulators/src/demo/demo-data';
import { SyncJobs } from '../src/sync/sync-jobs';
import { Harness, startHarness } from './support/harness';

interface LinkView {
  pepperUserId: string;
  crmContactId: string | null;
  status: string;
  matchedBy: string | null;
}
interface ConflictView {
  id: number;
  kind: string;
  pepperUserId: string;
  candidateContactIds: string[];
  status: string;
}

async function listAll<T>(h: Harness, path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res: { body: { items: T[]; nextCursor: string | null } } = await h.admin.get(`${path}${sep}limit=100${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
    items.push(...(res.body.items as T[]));
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
}

async function runPoll(h: Harness): Promise<void> {
  const run = await h.app.get(SyncJobs).startActionsPoll('ADMIN');
  await run.done;
}

describe('customer sync against the simulators (e2e)', () => {
  let h: Harness;
  let expected: DemoExpectations;

  beforeAll(async () => {
    h = await startHarness({ seed: (pepper, crm) => (expected = seedDemoData(pepper, crm)) });
    await h.idle();
  });
  afterAll(() => h.close());

  it('links, creates or reports every user exactly once', async () => {
    const links = await listAll<LinkView>(h, '/admin/links');
    const byUser = new Map(links.map((l) => [l.pepperUserId, l]));
    const liveUsers = h.pepper.users().filter((u) => !u.deleted);
    expect(links).toHaveLength(liveUsers.length);
    for (const id of expected.deleted) expect(byUser.has(id)).toBe(false);

    for (const id of expected.created) expect(byUser.get(id)).toMatchObject({ status: 'LINKED', matchedBy: 'CREATED' });
    for (const { pepperUserId, crmContactId } of expected.linkedByEmail) {
      expect(byUser.get(pepperUserId)).toMatchObject({ status: 'LINKED', matchedBy: 'EMAIL', crmContactId });
    }
    for (const { pepperUserId, crmContactId } of expected.linkedByPhone) {
      expect(byUser.get(pepperUserId)).toMatchObject({ status: 'LINKED', matchedBy: 'PHONE', crmContactId });
    }
    // A contact created by the connector carries the Pepper user id as its code: exactly one per created user.
    const codes = h.crm.contacts().map((c) => c.code).filter((c): c is string => Boolean(c));
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes.sort()).toEqual([...expected.created].sort());
    // Every linked contact got a wallet to mirror.
    for (const link of links.filter((l) => l.status === 'LINKED')) {
      expect(h.crm.getContact(link.crmContactId as string)?.walletId).toBeTruthy();
    }
  });

  it('reports each ambiguity as an open conflict naming the candidates, and links nothing for it', async () => {
    const conflicts = await listAll<ConflictView>(h, '/admin/conflicts?status=open');
    const kindOf = new Map(conflicts.map((c) => [c.pepperUserId, c]));
    for (const [kind, userIds] of Object.entries(expected.conflicts)) {
      for (const id of userIds) {
        expect(kindOf.get(id)).toMatchObject({ kind, status: 'OPEN' });
        expect(kindOf.get(id)?.candidateContactIds.length).toBeGreaterThanOrEqual(1);
      }
    }
    const ambiguous = kindOf.get(expected.conflicts.AMBIGUOUS_MATCH[0]) as ConflictView;
    expect(ambiguous.candidateContactIds).toHaveLength(2);

    for (const pair of expected.contestedPairs) {
      const links = await listAll<LinkView>(h, `/admin/links?crmContactId=${pair.crmContactId}`);
      expect(links.filter((l) => l.status === 'LINKED')).toHaveLength(1);
      const loser = pair.userIds.find((id) => id !== links[0].pepperUserId) as string;
      expect(kindOf.get(loser)).toMatchObject({ kind: 'CONTACT_LINKED_ELSEWHERE', candidateContactIds: [pair.crmContactId] });
    }
    const conflictUsers = conflicts.map((c) => c.pepperUserId);
    expect(new Set(conflictUsers).size).toBe(conflictUsers.length);
    const expectedCount = Object.values(expected.conflicts).flat().length + expected.contestedPairs.length;
    expect(conflicts).toHaveLength(expectedCount);
  });

  it('shows the totals in /admin/status', async () => {
    const res = await h.admin.get('/admin/status').expect(200);
    const conflictCount = Object.values(expected.conflicts).flat().length + expected.contestedPairs.length;
    expect(res.body.totals.links.LINKED).toBe(expected.totalUsers - expected.deleted.length - conflictCount);
    expect(res.body.totals.links.CONFLICT).toBe(conflictCount);
    expect(res.body.totals.openConflicts).toBe(conflictCount);
    expect(res.body.totals.failedEvents).toBe(0);
    expect(res.body.jobs['users-seed']).toMatchObject({ state: 'DONE', trigger: 'STARTUP' });
    expect(res.body.jobs['users-seed'].counts).toMatchObject({ created: expected.created.length, skippedDeleted: expected.deleted.length });
    expect(res.body.feeds.find((f: { feed: string }) => f.feed === 'pepper.actions').cursor).toEqual(expect.any(String));
    expect(res.body.loyalty.state).toBe('DISABLED');
  });

  it('follows USER_CREATED, USER_CHANGED and USER_DELETED from the actions feed', async () => {
    const created = h.pepper.addUser({ firstName: 'Nina', lastName: 'New', email: 'nina.new@demo.example', phone: '+447400999001' });
    const changedId = expected.created[0];
    h.pepper.updateUser(changedId, { lastName: 'Renamed', email: 'renamed@demo.example', marketing: true });
    const deletedId = expected.created[1];
    h.pepper.deleteUser(deletedId);

    await runPoll(h);

    const newLink = (await h.admin.get(`/admin/links?pepperUserId=${created.id}`).expect(200)).body.items[0];
    expect(newLink).toMatchObject({ status: 'LINKED', matchedBy: 'CREATED' });
    expect(h.crm.getContact(newLink.crmContactId)).toMatchObject({ code: created.id, email: 'nina.new@demo.example' });

    const changedLink = (await h.admin.get(`/admin/links?pepperUserId=${changedId}`).expect(200)).body.items[0];
    expect(h.crm.getContact(changedLink.crmContactId)).toMatchObject({ lastName: 'Renamed', email: 'renamed@demo.example', emailOptOut: false });

    const deletedLink = (await h.admin.get(`/admin/links?pepperUserId=${deletedId}`).expect(200)).body.items[0];
    expect(deletedLink.status).toBe('DELETED');
    expect(h.crm.getContact(deletedLink.crmContactId)).toBeDefined();

    // A second poll over the overlapping window applies nothing twice.
    const contactsBefore = h.crm.contacts().length;
    const putsBefore = h.crm.requests.filter((r) => r.method === 'PUT').length;
    await runPoll(h);
    expect(h.crm.contacts().length).toBe(contactsBefore);
    expect(h.crm.requests.filter((r) => r.method === 'PUT').length).toBe(putsBefore);
  });

  it('reports a new email another contact already holds as CONTACT_FIELD_TAKEN instead of overwriting', async () => {
    const userId = expected.created[2];
    const taken = expected.linkedByEmail[0];
    const takenEmail = h.crm.getContact(taken.crmContactId)?.email as string;
    h.pepper.updateUser(userId, { email: takenEmail.toLowerCase() });
    await runPoll(h);
    const conflicts = (await h.admin.get(`/admin/conflicts?status=OPEN&pepperUserId=${userId}`).expect(200)).body.items;
    expect(conflicts).toEqual([expect.objectContaining({ kind: 'CONTACT_FIELD_TAKEN', candidateContactIds: [taken.crmContactId] })]);
    const link = (await h.admin.get(`/admin/links?pepperUserId=${userId}`).expect(200)).body.items[0];
    expect(h.crm.getContact(link.crmContactId)?.email).not.toBe(takenEmail.toLowerCase());
  });

  it('links an ambiguous user once the duplicate is fixed in CRM.COM, and settles their conflict', async () => {
    const userId = expected.conflicts.AMBIGUOUS_MATCH[0];
    const [open] = (await h.admin.get(`/admin/conflicts?status=OPEN&pepperUserId=${userId}`).expect(200)).body.items as ConflictView[];
    expect(open).toMatchObject({ kind: 'AMBIGUOUS_MATCH' });
    const [kept, duplicate] = open.candidateContactIds;
    // the CRM team gives the duplicate contact an email of its own
    h.crm.updateContact(duplicate, { email: 'someone.else@demo.example' });

    await h.admin.post(`/admin/resync/users/${userId}`, { actor: 'ops@merchant' }).expect(200);

    const link = (await h.admin.get(`/admin/links?pepperUserId=${userId}`).expect(200)).body.items[0];
    expect(link).toMatchObject({ status: 'LINKED', matchedBy: 'EMAIL', crmContactId: kept });
    const conflicts = (await h.admin.get(`/admin/conflicts?pepperUserId=${userId}`).expect(200)).body.items;
    expect(conflicts).toEqual([
      expect.objectContaining({ id: open.id, status: 'RESOLVED', resolvedBy: 'ops@merchant', resolution: expect.stringContaining(kept) }),
    ]);
  });
});
