import {
  arrayOr,
  asRecord,
  booleanOr,
  isRecord,
  optionalRecord,
  optionalString,
  readableId,
  requiredNonNegativeInteger,
  requiredString,
  ShapeError,
  within,
} from '../upstream/json-shape';
import { PepperAction, PepperAward, PepperCredential, PepperPerk, PepperUser } from './pepper.types';

/** Users carry `id`; every other Pepper resource carries `_id`. */
export function pepperExternalId(raw: unknown): string | null {
  return readableId(raw, ['_id', 'id']);
}

export function parsePepperUser(raw: unknown): PepperUser {
  const user = asRecord(raw, 'user');
  const credentials = arrayOr(user, 'credentials', []).map((credential, index) =>
    within(`credentials[${index}]`, () => parsePepperCredential(credential)),
  );
  return {
    // v4+ users carry `id`; `_id` is accepted in case a legacy resource comes back.
    id: user.id === undefined && user._id !== undefined ? requiredString(user, '_id') : requiredString(user, 'id'),
    firstName: optionalString(user, 'firstName'),
    lastName: optionalString(user, 'lastName'),
    deleted: booleanOr(user, 'deleted', false),
    hasAgreedToReceiveMarketing: booleanOr(user, 'hasAgreedToReceiveMarketing', false),
    credentials,
    updatedAt: optionalString(user, 'updatedAt'),
  };
}

export function parsePepperCredential(raw: unknown): PepperCredential {
  const credential = asRecord(raw, 'credential');
  return {
    id: requiredString(credential, 'id'),
    provider: requiredString(credential, 'provider'),
    // An unknown verification state must never count as verified: linking on it could hand over a wallet.
    isVerified: booleanOr(credential, 'isVerified', false),
    isPrimary: booleanOr(credential, 'isPrimary', false),
  };
}

export function parsePepperPerk(raw: unknown): PepperPerk {
  const perk = asRecord(raw, 'perk');
  return {
    id: requiredString(perk, '_id'),
    template: requiredString(perk, 'template'),
    title: optionalString(perk, 'title') ?? '',
    enabled: booleanOr(perk, 'enabled', false),
  };
}

/** `known` fills `userId` / `perkId` when a write's answer leaves them out but the request named them. */
export function parsePepperAward(raw: unknown, known: { userId?: string; perkId?: string } = {}): PepperAward {
  const award = asRecord(raw, 'award');
  const points = within('points', () => asRecord(award.points, 'points'));
  return {
    id: requiredString(award, '_id'),
    userId: award.userId === undefined && known.userId ? known.userId : requiredString(award, 'userId'),
    perkId: award.perkId === undefined && known.perkId ? known.perkId : requiredString(award, 'perkId'),
    pointsAvailable: within('points', () => requiredNonNegativeInteger(points, 'available')),
    updatedAt: optionalString(award, 'updatedAt'),
  };
}

export function parsePepperAction(raw: unknown): PepperAction {
  const action = asRecord(raw, 'action');
  const when = within('when', () => asRecord(action.when, 'when'));
  const context = optionalRecord(action, 'context');
  const user = context ? within('context', () => optionalRecord(context, 'user')) : null;
  const location = context ? within('context', () => optionalRecord(context, 'location')) : null;
  const metadata = optionalRecord(action, 'metadata') ?? {};
  return {
    id: requiredString(action, '_id'),
    type: requiredString(action, 'type'),
    timestamp: within('when', () => isoTimestamp(requiredString(when, 'timestamp'))),
    userId: user ? within('context.user', () => optionalString(user, '_id')) : null,
    locationId: location ? within('context.location', () => optionalString(location, '_id')) : null,
    metadata,
    raw: action,
  };
}

export interface PepperListPage {
  rawItems: unknown[];
  nextKey: string | null;
  /** whether the answer had a `page` object at all (without one, "no nextKey" does not mean "last page") */
  hasPage: boolean;
}

/** Reads a list envelope: the first of `arrayFields` that holds an array, and an optional `page.nextKey`. */
export function readPepperListPage(data: unknown, arrayFields: readonly string[]): PepperListPage {
  const body = asRecord(data, 'body');
  const field = arrayFields.find((name) => Array.isArray(body[name]));
  if (field === undefined) throw new ShapeError(`no ${arrayFields.map((f) => `"${f}"`).join(' or ')} array`);
  const rawItems = body[field] as unknown[];
  const page = body.page;
  if (page === undefined || page === null) return { rawItems, nextKey: null, hasPage: false };
  if (!isRecord(page)) throw new ShapeError('"page" must be an object when present');
  const nextKey = within('page', () => optionalString(page, 'nextKey'));
  return { rawItems, nextKey: nextKey === '' ? null : nextKey, hasPage: true };
}

function isoTimestamp(text: string): string {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new ShapeError('"timestamp" must be an ISO-8601 date');
  return new Date(ms).toISOString();
}
