import { Harness, startHarness } from './support/harness';

describe('admin: two concurrent resolutions of one conflict (e2e)', () => {
  let h: Harness;
  let userId = '';
  const contacts: string[] = [];

  beforeAll(async () => {
    h = await startHarness({
      seed: (pepper, crm) => {
        contacts.push(crm.addContact({ firstName: 'Ria', lastName: 'A', email: 'ria@demo.example' }).id);
        contacts.push(crm.addContact({ firstName: 'Ria', lastName: 'B', email: 'ria@demo.example' }).id);
        userId = pepper.addUser({ firstName: 'Ria', lastName: 'Race', email: 'ria@demo.example' }, { emitAction: false }).id;
      },
    });
    await h.idle();
  });
  afterAll(() => h.close());

  it('two parallel "link" calls naming different contacts: one wins, the other gets 409, the user is linked once', async () => {
    const conflict = (await h.admin.get(`/admin/conflicts?pepperUserId=${userId}&status=open`).expect(200)).body.items[0];
    expect(conflict.kind).toBe('AMBIGUOUS_MATCH');
    // Both calls read the user from Pepper slowly, so both are past their first look at the conflict before either links.
    h.pepper.faults.add({ method: 'GET', path: /^\/users\//, times: 2, fault: { kind: 'delay', ms: 150 } });

    const answers = await Promise.all(
      contacts.map((crmContactId, i) => h.admin.post(`/admin/conflicts/${conflict.id}/resolve`, { action: 'link', crmContactId, actor: `ops-${i}` })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const winner = answers.findIndex((a) => a.status === 200);

    const links = (await h.admin.get(`/admin/links?pepperUserId=${userId}`).expect(200)).body.items;
    expect(links).toEqual([expect.objectContaining({ status: 'LINKED', crmContactId: contacts[winner] })]);
    const closed = (await h.admin.get(`/admin/conflicts?pepperUserId=${userId}`).expect(200)).body.items;
    expect(closed).toEqual([expect.objectContaining({ id: conflict.id, status: 'RESOLVED', resolution: expect.stringContaining(contacts[winner]) })]);
    expect(h.crm.requests.filter((r) => r.method === 'GET' && r.path === `/contacts/${contacts[1 - winner]}`)).toHaveLength(0);
  });
});
