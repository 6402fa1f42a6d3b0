import { createHmac } from 'node:crypto';
import request from 'supertest';
import { SyncJobs } from '../src/sync/sync-jobs';
import { Harness, startHarness } from './support/harness';

const SECRET = 'whsec-e2e-0123456789abcdef';
const sign = (raw: string) => createHmac('sha256', SECRET).update(raw).digest('hex');

describe('app notifications CRM.COM → Pepper (e2e)', () => {
  let h: Harness;
  let users: string[];
  let contactOf: (userId: string) => string;

  const deliver = (payload: unknown, headers: Record<string, string> = {}) => {
    const raw = JSON.stringify(payload);
    let req = request(h.app.getHttpServer()).post('/webhooks/crmcom/notifications').set('Content-Type', 'application/json');
    for (const [name, value] of Object.entries({ 'X-Signature': sign(raw), ...headers })) if (value !== '') req = req.set(name, value);
    return req.send(raw);
  };
  const sentTo = (userId: string) => h.pepper.audiences.notifications().filter((n) => n.userIds?.includes(userId));

  beforeAll(async () => {
    h = await startHarness({
      env: { CRMCOM_WEBHOOK_SECRET: SECRET, SEGMENT_MAP: 'tier:vip=VIP' },
      seed: (pepper) => {
        for (let i = 0; i < 6; i++) pepper.addUser({ firstName: `N${i}`, lastName: 'Note', email: `note${i}@e2e.example`, marketing: i % 2 === 0 }, { emitAction: false });
      },
    });
    await h.idle();
    users = h.pepper.users().map((u) => u.id);
    contactOf = (userId) => h.crm.findContactByCode(userId)!.id;
  }, 60_000);
  afterAll(() => h.close());

  it('sends one notification for a webhook delivered twice', async () => {
    const event = { eventId: 'evt-1', contactId: contactOf(users[0]), title: 'Hello', message: 'You reached Gold' };
    const first = await deliver(event).expect(200);
    expect(first.body).toMatchObject({ eventId: 'evt-1', result: 'sent' });
    const again = await deliver(event).expect(200);
    expect(again.body).toMatchObject({ result: 'duplicate', pepperNotificationId: first.body.pepperNotificationId });
    const sent = sentTo(users[0]);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ _id: first.body.pepperNotificationId, title: 'Hello', message: 'You reached Gold', type: 'alert', isProcessingMessage: false });
  });

  it('refuses a bad or missing signature with 401, and takes the secret as a bearer token', async () => {
    const event = { eventId: 'evt-2', contactId: contactOf(users[1]), message: 'Hi' };
    await deliver(event, { 'X-Signature': sign('something else') }).expect(401);
    await deliver(event, { 'X-Signature': '' }).expect(401);
    await deliver(event, { 'X-Signature': '', Authorization: 'Bearer not-the-secret' }).expect(401);
    expect(sentTo(users[1])).toHaveLength(0);
    const bearer = await deliver({ ...event, serviceMessage: true }, { 'X-Signature': '', Authorization: `Bearer ${SECRET}` }).expect(200);
    expect(bearer.body.result).toBe('sent');
    expect(sentTo(users[1])[0]).toMatchObject({ isProcessingMessage: true, sent: 1 });
  });

  it('answers 400 naming what is missing, and 202 for an unknown contact or an unlinked one', async () => {
    const bad = await deliver({ contactId: contactOf(users[2]) }).expect(400);
    expect(bad.body.message).toEqual(expect.arrayContaining([expect.stringContaining('eventId is missing'), expect.stringContaining('message is missing')]));
    const noContact = await deliver({ eventId: 'evt-3', message: 'Hi' }).expect(400);
    expect(JSON.stringify(noContact.body.message)).toContain('contactId or contactCode');

    const stranger = h.crm.addContact({ email: 'nolink@e2e.example', code: 'not-a-user' });
    const unlinked = await deliver({ eventId: 'evt-4', contactId: stranger.id, message: 'Hi' }).expect(202);
    expect(unlinked.body).toMatchObject({ result: 'not-sent' });
    const unknown = await deliver({ eventId: 'evt-5', contactCode: 'nobody', message: 'Hi' }).expect(202);
    expect(unknown.body.reason).toContain('nobody');
    // by code: the contacts the connector created carry the Pepper user id as their code
    await deliver({ eventId: 'evt-6', contactCode: users[2], message: 'By code' }).expect(200);
    expect(sentTo(users[2])).toHaveLength(1);
  });

  it('settles a send whose answer was lost from the user\'s receipts, never sending it again', async () => {
    h.pepper.faults.add({ method: 'POST', path: /^\/users\/[^/]+\/notifications$/, fault: { kind: 'lateAnswer', ms: 2500 }, times: 1 });
    const event = { eventId: 'evt-lost', contactId: contactOf(users[4]), message: 'Lost answer' };
    const res = await deliver(event).expect(200);
    expect(res.body.result).toBe('sent');
    expect(sentTo(users[4])).toHaveLength(1);
    expect(res.body.pepperNotificationId).toBe(sentTo(users[4])[0]._id);
    await deliver(event).expect(200);
    expect(sentTo(users[4])).toHaveLength(1);
  });

  it('names the default field pointers when a payload does not have them', async () => {
    const nested = await deliver({ event: { id: 'evt-n' }, contact: { id: contactOf(users[5]) }, text: 'Nested' }).expect(400);
    expect(JSON.stringify(nested.body.message)).toContain('/eventId');
  });

  it('sends a campaign to a mirrored segment and polls its delivery status', async () => {
    h.crm.setTier('vip', 'VIP', users.slice(0, 4).map(contactOf));
    await h.admin.post('/admin/resync', { scope: 'segments' }).expect(202);
    await h.idle();
    await h.admin.post('/admin/notifications', { segment: 'tier:unknown', message: 'x', isProcessingMessage: false, actor: 'ops' }).expect(404);
    await h.admin.post('/admin/notifications', { segment: 'tier:vip', message: 'x', actor: 'ops' }).expect(400);
    const campaign = await h.admin.post('/admin/notifications', { segment: 'tier:vip', title: 'VIP night', message: 'Double points tonight', isProcessingMessage: false, actor: 'ops@merchant' }).expect(201);
    expect(campaign.body).toMatchObject({ kind: 'CAMPAIGN', state: 'SENT', source: 'tier:vip', actor: 'ops@merchant' });
    const pepperSide = h.pepper.audiences.notifications().find((n) => n._id === campaign.body.pepperNotificationId);
    expect(pepperSide?.segmentIds).toEqual([campaign.body.pepperSegmentId]);
    // marketing: the two members who did not agree to marketing are skipped
    expect(pepperSide).toMatchObject({ sent: 2, skipped: 2 });

    const jobs = h.app.get(SyncJobs);
    for (let i = 0; i < 2; i++) await (await jobs.startNotificationsPoll('ADMIN')).done;
    const list = await h.admin.get('/admin/notifications?kind=campaign').expect(200);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ status: 'DONE', sent: 2, failures: 0, skipped: 2 });
    const all = await h.admin.get('/admin/notifications').expect(200);
    expect(all.body.items.filter((n: { kind: string }) => n.kind === 'TRANSACTIONAL').length).toBeGreaterThanOrEqual(4);
  });
});
