import { WebhookField } from '../config/app-config';
import type { TransactionalNotification } from './notification-sender';

/** RFC 6901: the value at a JSON pointer, or undefined. */
export function readPointer(document: unknown, pointer: string): unknown {
  if (pointer === '') return document;
  let node: unknown = document;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node) && /^\d+$/.test(token)) node = node[Number(token)];
    else if (node !== null && typeof node === 'object' && Object.prototype.hasOwnProperty.call(node, token)) node = (node as Record<string, unknown>)[token];
    else return undefined;
  }
  return node;
}

const MAX_TEXT = { eventId: 200, contact: 200, title: 100, message: 1000 };

/**
 * The automation's call as a notification, or the problems with it (each naming the field and where it was looked
 * for). Ids may be strings or numbers; the service flag a boolean or "true"/"false".
 */
export function readWebhookPayload(
  body: unknown,
  fields: Record<WebhookField, string>,
): { ok: true; notification: TransactionalNotification } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const at = (field: WebhookField) => readPointer(body, fields[field]);
  const text = (field: WebhookField, max: number, required: boolean): string | null => {
    const value = at(field);
    if (value === undefined || value === null || value === '') {
      if (required) problems.push(`${field} is missing (read from ${fields[field]})`);
      return null;
    }
    if (typeof value !== 'string' && typeof value !== 'number') {
      problems.push(`${field} must be a string (read from ${fields[field]})`);
      return null;
    }
    const s = String(value).trim();
    if (s.length > max) problems.push(`${field} must be at most ${max} characters (read from ${fields[field]})`);
    return s;
  };
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { ok: false, problems: ['the body must be a JSON object'] };
  const eventId = text('eventId', MAX_TEXT.eventId, true);
  const contactId = text('contactId', MAX_TEXT.contact, false);
  const contactCode = text('contactCode', MAX_TEXT.contact, false);
  if (contactId === null && contactCode === null && !problems.some((p) => p.startsWith('contact'))) {
    problems.push(`contactId or contactCode is missing (read from ${fields.contactId} or ${fields.contactCode})`);
  }
  const title = text('title', MAX_TEXT.title, false);
  const message = text('message', MAX_TEXT.message, true);
  const flag = at('serviceMessage');
  let serviceMessage = false;
  if (flag === true || flag === 'true') serviceMessage = true;
  else if (flag !== undefined && flag !== null && flag !== false && flag !== 'false') {
    problems.push(`serviceMessage must be true or false (read from ${fields.serviceMessage})`);
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, notification: { eventId: eventId as string, contactId, contactCode, title, message: message as string, serviceMessage } };
}
