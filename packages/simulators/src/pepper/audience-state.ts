import { IdSequence } from './id-sequence';
import { badRequest, notFound, validationError } from './pepper-errors';

/** Pepper takes at most this many user ids per segment membership call (pepper-api.md §8). */
export const SEGMENT_CALL_MAX_USERS = 100;
export const SEGMENT_TYPES = ['PERSISTENT', 'ROLLING', 'SCHEDULED'] as const;

export interface SimSegment {
  _id: string;
  tenantId: string;
  title: string;
  description?: string;
  type: (typeof SEGMENT_TYPES)[number];
  expiryHorizon?: number;
  created: string;
  updated: string;
}

export interface SimNotification {
  _id: string;
  tenantId: string;
  title?: string;
  message: string;
  type: string;
  value: string;
  isProcessingMessage: boolean;
  userIds?: string[];
  segmentIds?: string[];
  /** `PENDING` until its first read, then `DONE` (delivery is asynchronous in Pepper) */
  status: 'PENDING' | 'DONE';
  sent: number;
  failures: number;
  skipped: number;
  errorMessage: string | null;
  createdAt: string;
  completedAt: string | null;
}

export interface SimReceipt {
  _id: string;
  notificationId: string;
  userId: string;
  createdAt: string;
}

export interface SimMenuProduct {
  id: string;
  title: string;
  price: number;
}

export interface SimMenuCategory {
  id: string;
  title: string;
  products: SimMenuProduct[];
}

export interface NotificationInput {
  title?: string;
  message: string;
  type?: string;
  value?: string;
  isProcessingMessage: boolean;
}

export interface AudienceUsers {
  /** a live user, and whether they agreed to marketing */
  user(id: string): { marketing: boolean } | undefined;
}

function pageOf<T>(items: readonly T[], idOf: (item: T) => string, startKey: string | undefined, limit: number) {
  let from = 0;
  if (startKey !== undefined) {
    const at = items.findIndex((item) => idOf(item) === startKey);
    if (at < 0) throw badRequest(`Invalid startKey ${startKey}`);
    from = at + 1;
  }
  const slice = items.slice(from, from + limit);
  const nextKey = from + limit < items.length && slice.length > 0 ? idOf(slice[slice.length - 1]) : undefined;
  return { items: slice, nextKey };
}

/**
 * Segments, push notifications with receipts, and location menus of the simulated tenant (pepper-api.md §8–9 and
 * design §9). Every getter returns copies.
 */
export class PepperAudiences {
  private readonly ids = new IdSequence();
  private readonly segmentList: SimSegment[] = [];
  private readonly memberSets = new Map<string, Set<string>>();
  private readonly notificationList: SimNotification[] = [];
  private readonly receiptList: SimReceipt[] = [];
  private readonly menus = new Map<string, SimMenuCategory[]>();
  /** every membership call, for tests: method, segment and how many ids it carried */
  readonly membershipCalls: Array<{ method: 'POST' | 'DELETE'; segmentId: string; count: number }> = [];

  constructor(
    private readonly now: () => Date,
    private readonly tenantId: string,
    private readonly users: AudienceUsers,
  ) {}

  reset(): void {
    this.segmentList.length = 0;
    this.memberSets.clear();
    this.notificationList.length = 0;
    this.receiptList.length = 0;
    this.menus.clear();
    this.membershipCalls.length = 0;
  }

  // ---- segments

  createSegment(input: { title: string; description?: string; type: SimSegment['type']; expiryHorizon?: number }): SimSegment {
    const at = this.now().toISOString();
    const segment: SimSegment = { _id: this.ids.next('seg'), tenantId: this.tenantId, ...input, created: at, updated: at };
    this.segmentList.push(segment);
    this.memberSets.set(segment._id, new Set());
    return structuredClone(segment);
  }

  segments(): SimSegment[] {
    return structuredClone(this.segmentList);
  }

  getSegment(id: string): SimSegment | undefined {
    const segment = this.segmentList.find((s) => s._id === id);
    return segment && structuredClone(segment);
  }

  listSegments(startKey: string | undefined, limit: number) {
    const page = pageOf(this.segmentList, (s) => s._id, startKey, limit);
    return { items: structuredClone(page.items), nextKey: page.nextKey };
  }

  /** As an operator deleting it in the Pepper console. */
  deleteSegment(id: string): void {
    const at = this.segmentList.findIndex((s) => s._id === id);
    if (at < 0) throw notFound(`Segment ${id} not found`);
    this.segmentList.splice(at, 1);
    this.memberSets.delete(id);
  }

  members(segmentId: string): string[] {
    return [...this.memberSet(segmentId)];
  }

  listMembers(segmentId: string, startKey: string | undefined, limit: number) {
    const page = pageOf([...this.memberSet(segmentId)], (id) => id, startKey, limit);
    return { items: page.items.map((userId) => ({ userId })), nextKey: page.nextKey };
  }

  /** Adding a member twice is safe; at most 100 ids per call; unknown users are refused. */
  addMembers(segmentId: string, userIds: unknown): number {
    const members = this.memberSet(segmentId);
    const ids = this.checkBatch(userIds);
    const unknown = ids.filter((id) => !this.users.user(id));
    if (unknown.length > 0) throw validationError(`Unknown users: ${unknown.slice(0, 5).join(', ')}`);
    this.membershipCalls.push({ method: 'POST', segmentId, count: ids.length });
    let added = 0;
    for (const id of ids) {
      if (!members.has(id)) added += 1;
      members.add(id);
    }
    return added;
  }

  /** Removing a non-member is safe; at most 100 ids per call. */
  removeMembers(segmentId: string, userIds: unknown): number {
    const members = this.memberSet(segmentId);
    const ids = this.checkBatch(userIds);
    this.membershipCalls.push({ method: 'DELETE', segmentId, count: ids.length });
    let removed = 0;
    for (const id of ids) if (members.delete(id)) removed += 1;
    return removed;
  }

  private memberSet(segmentId: string): Set<string> {
    const members = this.memberSets.get(segmentId);
    if (!members) throw notFound(`Segment ${segmentId} not found`);
    return members;
  }

  private checkBatch(userIds: unknown): string[] {
    if (!Array.isArray(userIds) || userIds.some((id) => typeof id !== 'string' || id === '')) {
      throw validationError('the body must be a JSON array of user ids');
    }
    if (userIds.length === 0 || userIds.length > SEGMENT_CALL_MAX_USERS) {
      throw validationError(`a call takes 1 to ${SEGMENT_CALL_MAX_USERS} user ids, got ${userIds.length}`);
    }
    return userIds as string[];
  }

  // ---- notifications

  /** Creates and delivers at once: marketing messages skip users who did not agree to marketing. */
  notify(input: NotificationInput, target: { userIds: string[] } | { segmentIds: string[] }): SimNotification {
    const at = this.now().toISOString();
    const recipients =
      'userIds' in target ? target.userIds : [...new Set(target.segmentIds.flatMap((id) => [...this.memberSet(id)]))];
    const notification: SimNotification = {
      _id: this.ids.next('ntf'),
      tenantId: this.tenantId,
      ...(input.title ? { title: input.title } : {}),
      message: input.message,
      type: input.type ?? 'alert',
      value: input.value ?? '',
      isProcessingMessage: input.isProcessingMessage,
      ...target,
      status: 'PENDING',
      sent: 0,
      failures: 0,
      skipped: 0,
      errorMessage: null,
      createdAt: at,
      completedAt: null,
    };
    for (const userId of recipients) {
      const user = this.users.user(userId);
      if (!user) notification.failures += 1;
      else if (!input.isProcessingMessage && !user.marketing) notification.skipped += 1;
      else {
        notification.sent += 1;
        this.receiptList.push({ _id: this.ids.next('rct'), notificationId: notification._id, userId, createdAt: at });
      }
    }
    this.notificationList.push(notification);
    return structuredClone(notification);
  }

  notifications(): SimNotification[] {
    return structuredClone(this.notificationList);
  }

  /** A read over HTTP: the first answers PENDING, later ones DONE. */
  readNotification(id: string): SimNotification {
    const notification = this.notificationList.find((n) => n._id === id);
    if (!notification) throw notFound(`Notification ${id} not found`);
    const answer = structuredClone(notification);
    if (notification.status === 'PENDING') {
      notification.status = 'DONE';
      notification.completedAt = this.now().toISOString();
    }
    return answer;
  }

  receipts(filter: { userId?: string; notificationId?: string } = {}): SimReceipt[] {
    const matches = (r: SimReceipt) =>
      (filter.userId === undefined || r.userId === filter.userId) &&
      (filter.notificationId === undefined || r.notificationId === filter.notificationId);
    return structuredClone(this.receiptList.filter(matches));
  }

  listReceipts(filter: { userId?: string; notificationId?: string }, startKey: string | undefined, limit: number) {
    const page = pageOf(this.receipts(filter), (r) => r._id, startKey, limit);
    return { items: page.items, nextKey: page.nextKey };
  }

  // ---- menus

  setMenu(locationId: string, categories: SimMenuCategory[]): void {
    this.menus.set(locationId, structuredClone(categories));
  }

  menu(locationId: string): { categories: SimMenuCategory[] } {
    const categories = this.menus.get(locationId);
    if (!categories) throw notFound(`Location ${locationId} has no menu`);
    return { categories: structuredClone(categories) };
  }
}
