import { seedDemoData, DemoExpectations } from '../packages/simulators/src/demo/demo-data';
import { SyncJobs } from '../src/sync/sync-jobs';
import { Harness, startHarness } from './support/harness';

/**
 * CRM.COM documents a contact's phone as {type, country_code (ISO-3), number (national)}; contacts written by other
 * systems may hold an E.164 string. Under either, every user who matches by verified phone links to that contact, and
 * their later profile changes go through (none parked).
 */
describe.each([
  ['the documented shape', false],
  ['E.164 strings (variant phoneAsE164)', true],
])('phones held in %s (e2e)', (_label, phoneAsE164) => {
  let h: Harness;
  let expected: DemoExpectations;

  beforeAll(async () => {
    h = await startHarness({ crm: { variants: { phoneAsE164 } }, seed: (pepper, crm) => (expected = seedDemoData(pepper, crm)) });
    await h.idle();
  });
  afterAll(() => h.close());

  it('links every phone-matching user to the contact holding the phone', async () => {
    expect(expected.linkedByPhone.length).toBeGreaterThan(10);
    for (const { pepperUserId, crmContactId } of expected.linkedByPhone) {
      const { body } = await h.admin.get(`/admin/links?pepperUserId=${pepperUserId}`).expect(200);
      expect(body.items).toEqual([expect.objectContaining({ status: 'LINKED', matchedBy: 'PHONE', crmContactId })]);
    }
    expect((await h.admin.get('/admin/failed-events').expect(200)).body.items).toEqual([]);
  });

  it('writes the documented shape on the contacts it creates', () => {
    const created = h.crm.contacts().filter((c) => c.code && c.phone);
    expect(created.length).toBeGreaterThan(0);
    for (const contact of created) expect(contact.phone).toMatchObject({ type: 'MOBILE', countryCode: expect.stringMatching(/^[A-Z]{3}$/), number: expect.stringMatching(/^\d+$/) });
  });

  it('a phone-matched user who changes their name is updated, not parked', async () => {
    const { pepperUserId, crmContactId } = expected.linkedByPhone[0];
    h.pepper.updateUser(pepperUserId, { lastName: 'Renamed' });
    await (await h.app.get(SyncJobs).startActionsPoll('ADMIN')).done;
    expect(h.crm.getContact(crmContactId)?.lastName).toBe('Renamed');
    expect((await h.admin.get('/admin/failed-events').expect(200)).body.items).toEqual([]);
  });
});
