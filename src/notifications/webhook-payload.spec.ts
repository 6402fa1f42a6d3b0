import { signatureOf, webhookAuthentic } from './webhook-auth';
import { readPointer, readWebhookPayload } from './webhook-payload';

const DEFAULTS = { eventId: '/eventId', contactId: '/contactId', contactCode: '/contactCode', title: '/title', message: '/message', serviceMessage: '/serviceMessage' };

describe('webhook payload', () => {
  it('reads JSON pointers (RFC 6901), escapes and array indexes included', () => {
    const doc = { a: { 'b/c': [{ 'd~e': 7 }] } };
    expect(readPointer(doc, '/a/b~1c/0/d~0e')).toBe(7);
    expect(readPointer(doc, '/a/missing')).toBeUndefined();
  });

  it('reads the fields from where CRMCOM_WEBHOOK_FIELDS points', () => {
    const fields = { ...DEFAULTS, eventId: '/event/id', contactId: '/contact/id', message: '/content/body', serviceMessage: '/flags/service' };
    const read = readWebhookPayload({ event: { id: 42 }, contact: { id: 'c-1' }, content: { body: 'Hi' }, flags: { service: 'true' } }, fields);
    expect(read).toEqual({ ok: true, notification: { eventId: '42', contactId: 'c-1', contactCode: null, title: null, message: 'Hi', serviceMessage: true } });
  });

  it('names every missing or malformed field with where it was looked for', () => {
    const read = readWebhookPayload({ title: 5, serviceMessage: 'maybe', message: { x: 1 } }, DEFAULTS);
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.problems).toEqual([
      'eventId is missing (read from /eventId)',
      'contactId or contactCode is missing (read from /contactId or /contactCode)',
      'message must be a string (read from /message)',
      'serviceMessage must be true or false (read from /serviceMessage)',
    ]);
    expect(readWebhookPayload([1], DEFAULTS)).toEqual({ ok: false, problems: ['the body must be a JSON object'] });
  });
});

describe('webhook authentication', () => {
  const secret = 'whsec-0123456789abcdef';
  const body = Buffer.from('{"eventId":"1"}');

  it('accepts the hex HMAC-SHA256 of the raw body, or the secret as a bearer token', () => {
    expect(webhookAuthentic(secret, body, signatureOf(secret, body), undefined)).toBe(true);
    expect(webhookAuthentic(secret, body, signatureOf(secret, body).toUpperCase(), undefined)).toBe(true);
    expect(webhookAuthentic(secret, body, undefined, `Bearer ${secret}`)).toBe(true);
  });

  it('refuses anything else', () => {
    expect(webhookAuthentic(secret, body, signatureOf('other-secret-0123456', body), undefined)).toBe(false);
    expect(webhookAuthentic(secret, body, signatureOf(secret, body).slice(0, 10), undefined)).toBe(false);
    expect(webhookAuthentic(secret, body, undefined, `Bearer ${secret}x`)).toBe(false);
    expect(webhookAuthentic(secret, body, undefined, undefined)).toBe(false);
    // a signature header wins: a wrong one is not rescued by a bearer token
    expect(webhookAuthentic(secret, body, 'bad', `Bearer ${secret}`)).toBe(false);
  });
});
