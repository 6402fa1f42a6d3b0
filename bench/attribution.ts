/**
 * Calls per user by kind: every request the simulators recorded is put down to one bench user where the request
 * names one (in its path, query or body, directly or through a record the simulators hold), else to "shared"
 * (list pages, feed polls, perks, award downloads: calls whose cost is spread over everyone).
 */
import type { CrmComSimulator, RecordedRequest as CrmRequest } from '../packages/simulators/src/crmcom';
import type { PepperSimulator, RecordedRequest as PepperRequest } from '../packages/simulators/src/pepper/pepper-simulator';
import { indexFromEmail, indexFromPhone, indexFromUserId, USER_KINDS, userKindOf, type UserKind } from './population';

type Recorded = CrmRequest | PepperRequest;

export interface CallSplit {
  reads: number;
  writes: number;
}

export interface KindCalls {
  crm: CallSplit;
  pepper: CallSplit;
}

export interface Attribution {
  byKind: Record<UserKind, KindCalls>;
  shared: KindCalls;
}

const emptyCalls = (): KindCalls => ({ crm: { reads: 0, writes: 0 }, pepper: { reads: 0, writes: 0 } });
const isRead = (method: string): boolean => method === 'GET' || method === 'HEAD';

const asRecord = (value: unknown): Record<string, unknown> | null =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
const text = (value: unknown): string | null => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null);

/** Which bench user a recorded request concerns, from the simulators' state after the run. */
export class Attributor {
  private readonly contactUser = new Map<string, number>();
  private readonly walletUser = new Map<string, number>();
  private readonly accountUser = new Map<string, number>();
  private readonly journalUser = new Map<string, number>();
  private readonly purchaseUser = new Map<string, number>();
  private readonly awardUser = new Map<string, number>();

  constructor(
    private readonly n: number,
    crm: CrmComSimulator,
    pepper: PepperSimulator,
  ) {
    for (const contact of crm.contacts()) {
      const i =
        (contact.code === null ? null : indexFromUserId(contact.code, n)) ??
        (contact.email === null ? null : indexFromEmail(contact.email, n)) ??
        (contact.phone === null ? null : indexFromPhone(contact.phone.number, n));
      if (i === null) continue;
      this.contactUser.set(contact.id, i);
      if (contact.walletId !== null) this.walletUser.set(contact.walletId, i);
    }
    const byContact = (contactId: string): number | undefined => this.contactUser.get(contactId);
    for (const account of crm.accounts()) this.put(this.accountUser, account.id, byContact(account.contactId));
    for (const journal of crm.journals()) this.put(this.journalUser, journal.id, byContact(journal.contactId));
    for (const purchase of crm.purchases()) this.put(this.purchaseUser, purchase.id, byContact(purchase.contactId));
    for (const award of pepper.awards()) this.put(this.awardUser, award._id, indexFromUserId(award.userId, n) ?? undefined);
  }

  /** Maps for the live phases: contact id → bench user, for contacts that hold a wallet. */
  linkedContacts(): Array<{ i: number; contactId: string }> {
    const seen = new Set<number>();
    const out: Array<{ i: number; contactId: string }> = [];
    const withWallet = new Set(this.walletUser.values());
    for (const [contactId, i] of this.contactUser) {
      if (seen.has(i) || !withWallet.has(i)) continue;
      seen.add(i);
      out.push({ i, contactId });
    }
    return out.sort((a, b) => a.i - b.i);
  }

  crm(request: CrmRequest): number | null {
    const segments = request.path.split('/').filter((s) => s !== '');
    const [collection, id] = segments;
    if (id !== undefined) {
      const maps: Record<string, Map<string, number>> = {
        contacts: this.contactUser,
        wallets: this.walletUser,
        accounts: this.accountUser,
        journals: this.journalUser,
        purchases: this.purchaseUser,
      };
      const hit = maps[collection]?.get(decodeURIComponent(id));
      if (hit !== undefined) return hit;
    }
    const query = request.query;
    const fromQuery =
      this.fromText(query.code, indexFromUserId) ??
      this.fromText(query.email_address, indexFromEmail) ??
      this.fromText(query.phone_number, indexFromPhone) ??
      this.fromId(query.contact_id, this.contactUser) ??
      this.fromId(query.wallet_id, this.walletUser);
    if (fromQuery !== null) return fromQuery;
    const body = asRecord(request.body);
    if (body) {
      const fromBody =
        this.fromText(body.code, indexFromUserId) ??
        this.fromId(asRecord(body.contact)?.id, this.contactUser) ??
        this.fromId(body.contact_id, this.contactUser) ??
        this.fromText(body.email, indexFromEmail);
      if (fromBody !== null) return fromBody;
    }
    return this.anywhere(request);
  }

  pepper(request: PepperRequest): number | null {
    const segments = request.path.split('/').filter((s) => s !== '');
    if (segments[0] === 'users' && segments[1] !== undefined) return indexFromUserId(decodeURIComponent(segments[1]), this.n);
    if (segments[0] === 'pointawards' && segments[1] !== undefined) {
      const hit = this.awardUser.get(decodeURIComponent(segments[1]));
      if (hit !== undefined) return hit;
    }
    const fromQuery = this.fromText(request.query.userId, indexFromUserId);
    if (fromQuery !== null) return fromQuery;
    const fromBody = this.fromText(asRecord(request.body)?.userId, indexFromUserId);
    if (fromBody !== null) return fromBody;
    return this.anywhere(request);
  }

  /** Last resort: exactly one bench user id anywhere in the path, query or body (e.g. inside a reference number). */
  private anywhere(request: Recorded): number | null {
    const all = `${request.path} ${JSON.stringify(request.query)} ${request.body === undefined ? '' : JSON.stringify(request.body)}`;
    const ids = new Set([...all.matchAll(/usr(\d{7})(?!\d)/g)].map((m) => Number(m[1])).filter((i) => i < this.n));
    return ids.size === 1 ? [...ids][0] : null;
  }

  private fromText(value: unknown, read: (s: string, n: number) => number | null): number | null {
    const s = text(value);
    return s === null ? null : read(s, this.n);
  }

  private fromId(value: unknown, map: Map<string, number>): number | null {
    const s = text(value);
    return s === null ? null : (map.get(s) ?? null);
  }

  private put(map: Map<string, number>, key: string, i: number | undefined): void {
    if (i !== undefined) map.set(key, i);
  }
}

/** Sums the calls in [from, to) of both logs by the kind of user they concern, or as shared. */
export function attribute(
  attributor: Attributor,
  crmRequests: readonly CrmRequest[],
  pepperRequests: readonly PepperRequest[],
  range: { crm: [number, number]; pepper: [number, number] },
): Attribution {
  const byKind = Object.fromEntries(USER_KINDS.map((k) => [k, emptyCalls()])) as Record<UserKind, KindCalls>;
  const shared = emptyCalls();
  const add = (calls: KindCalls, api: 'crm' | 'pepper', method: string): void => {
    if (isRead(method)) calls[api].reads++;
    else calls[api].writes++;
  };
  for (const request of crmRequests.slice(range.crm[0], range.crm[1])) {
    const i = attributor.crm(request);
    add(i === null ? shared : byKind[userKindOf(i)], 'crm', request.method);
  }
  for (const request of pepperRequests.slice(range.pepper[0], range.pepper[1])) {
    const i = attributor.pepper(request);
    add(i === null ? shared : byKind[userKindOf(i)], 'pepper', request.method);
  }
  return { byKind, shared };
}
