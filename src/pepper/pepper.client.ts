import { Clock } from '../common/clock';
import { Sleeper } from '../common/sleeper';
import { AppConfig } from '../config/app-config';
import { HttpFailure, HttpMethod, safeUpstreamText } from '../upstream/http-failure';
import { ShapeError } from '../upstream/json-shape';
import { ValidatedPage, validateItems } from '../upstream/paging';
import { QueryParams } from '../upstream/query-string';
import { TokenBucket } from '../upstream/token-bucket';
import { RetryingHttp, UpstreamObserver } from '../upstream/retrying-http';
import { PepperError, pepperErrorFromFailure } from './pepper.error';
import {
  parsePepperAction,
  parsePepperAward,
  parsePepperPerk,
  parsePepperUser,
  pepperExternalId,
  readPepperListPage,
} from './pepper.parsers';
import { ActionsWindow, PepperAction, PepperAward, PepperPerk, PepperUser } from './pepper.types';
import {
  parseCreatedPepperId,
  parseMenu,
  parsePepperNotification,
  parsePepperReceipt,
  parsePepperSegment,
  parseSegmentMember,
} from './pepper-audience.parsers';
import {
  PepperMenuProduct,
  PepperNotificationReceipt,
  PepperNotificationStatus,
  PepperNotificationWrite,
  PepperSegment,
  PepperSegmentWrite,
} from './pepper-audience.types';

const LIST_ENVELOPES = ['items', 'actions'] as const;
const POINT_AWARDS_ENVELOPES = ['awards', 'items'] as const;
const AWARD_FIELDS = '_id,userId,perkId,points,updatedAt';
/** Pepper takes at most this many user ids per segment membership call (pepper-api.md §8). */
export const SEGMENT_CALL_MAX_USERS = 100;

/** The Pepper Platform API calls the connector makes (pepper-api.md). */
export class PepperClient {
  private readonly http: RetryingHttp;
  /** the menu host (PEPPER_MENU_API_URL), with the same headers */
  private readonly menuHttp: RetryingHttp;

  constructor(
    private readonly config: AppConfig,
    clock: Clock,
    sleeper: Sleeper,
    random: () => number = Math.random,
    observer: UpstreamObserver | null = null,
  ) {
    const pepper = config.pepper;
    const secrets = (): string[] => [pepper.authToken];
    // One budget for the merchant's Pepper key, whichever host the call goes to.
    const rateLimit = pepper.maxRps ? new TokenBucket(pepper.maxRps) : null;
    const options = (label: string, baseURL: string) => ({
      upstream: 'pepper' as const,
      label,
      baseURL,
      http: config.http,
      defaultHeaders: {
        Authorization: `Token ${pepper.authToken}`,
        'x-application-id': pepper.applicationId,
        'x-api-version': pepper.apiVersion,
        Accept: 'application/json',
        'Accept-Encoding': 'gzip, deflate',
      },
      clock,
      sleeper,
      random,
      secrets,
      observer,
      rateLimit,
      toError: (failure: HttpFailure) => pepperErrorFromFailure(failure, secrets()),
    });
    this.http = new RetryingHttp(options('Pepper', pepper.apiUrl));
    this.menuHttp = new RetryingHttp(options('Pepper menu', config.products?.menuApiUrl ?? pepper.apiUrl));
  }

  usersPages(opts: { pageSize?: number } = {}): AsyncIterable<ValidatedPage<PepperUser>> {
    return this.pages('/users', { include: 'credentials', limit: this.limit(opts.pageSize) }, parsePepperUser);
  }

  async getUser(userId: string): Promise<PepperUser> {
    const path = `/users/${encodeURIComponent(userId)}`;
    const data = await this.call('GET', path, { query: { include: 'credentials' } });
    return this.readBody('GET', path, () => parsePepperUser(data));
  }

  perksPages(): AsyncIterable<ValidatedPage<PepperPerk>> {
    return this.pages('/perks', { limit: this.limit() }, parsePepperPerk);
  }

  awardsPages(opts: { userId?: string; updatedAfter?: string } = {}): AsyncIterable<ValidatedPage<PepperAward>> {
    return this.pages(
      '/awards',
      {
        fields: AWARD_FIELDS,
        includeUnvisualisedAwards: true,
        includeDisabled: true,
        limit: this.limit(),
        userId: opts.userId,
        'updatedAt.gt': opts.updatedAfter,
      },
      (raw) => parsePepperAward(raw),
    );
  }

  /** Every point award the user holds; one unreadable award fails the call, as the list is used whole. */
  async getUserPointAwards(userId: string): Promise<PepperAward[]> {
    const path = `/users/${encodeURIComponent(userId)}/pointawards`;
    const data = await this.call('GET', path, {
      query: { includeUnvisualisedAwards: true, includeDisabled: true },
    });
    return this.readBody('GET', path, () =>
      readPepperListPage(data, POINT_AWARDS_ENVELOPES).rawItems.map((raw) => parsePepperAward(raw, { userId })),
    );
  }

  /** Actions in the window, newest first as Pepper returns them. */
  actionsPages(window: ActionsWindow): AsyncIterable<ValidatedPage<PepperAction>> {
    const limit = this.limit(window.pageSize);
    const query = { 'when.timestamp.gt': window.gt, 'when.timestamp.lte': window.lte, 'type.in': window.types.join(','), limit };
    // The Platform API's actions example has no `page`: a full page without a nextKey is not the last one. The feed is
    // newest first, so the rest is read by closing the window at the oldest action seen (inclusive: the ones at that
    // very moment come again and are deduplicated by id). A full page all at one moment cannot be narrowed: it fails.
    return this.pages('/actions', query, parsePepperAction, (page, current) => {
      if (page.rawItems.length < limit) return null;
      const oldest = page.items.map((a) => a.timestamp).sort()[0];
      const lte = String(current['when.timestamp.lte']);
      if (!oldest || Date.parse(oldest) >= Date.parse(lte)) {
        throw this.invalidResponse('GET', '/actions', `a full page of ${limit} actions without page.nextKey, all at ${lte}: cannot read on; raise PEPPER_PAGE_SIZE`);
      }
      return { ...current, 'when.timestamp.lte': oldest };
    });
  }

  /** Adds points to the user's award of the perk (creating it); emits REWARD_EARNED. Never retried after sending. */
  async grantPoints(perkId: string, userId: string, points: number): Promise<PepperAward> {
    assertPositiveInteger(points, 'points');
    const path = `/pointperks/${encodeURIComponent(perkId)}/awards`;
    const data = await this.call('POST', path, { body: { userId, points }, idempotent: false });
    return this.readBody('POST', path, () => parsePepperAward(data, { userId, perkId }));
  }

  /** Takes points off the award; emits REDEEM_PERK. Never retried after sending. */
  async redeemPoints(userId: string, awardId: string, points: number): Promise<PepperAward> {
    assertPositiveInteger(points, 'points');
    const path = `/users/${encodeURIComponent(userId)}/pointawards/${encodeURIComponent(awardId)}/redeem`;
    const data = await this.call('POST', path, { body: { valueToRedeem: points }, idempotent: false });
    return this.readBody('POST', path, () => parsePepperAward(data, { userId }));
  }

  /** Sets the award's balance outright; emits no action. */
  async setAwardPoints(awardId: string, available: number): Promise<PepperAward> {
    assertNonNegativeInteger(available, 'available');
    const path = `/pointawards/${encodeURIComponent(awardId)}`;
    const data = await this.call('PUT', path, { body: { points: { available } }, idempotent: true });
    return this.readBody('PUT', path, () => parsePepperAward(data));
  }

  // ---- segments (pepper-api.md §8; every path inferred)

  /** Creates a segment; answers it. Not idempotent: stored before it is sent, never resent blindly. */
  async createSegment(segment: PepperSegmentWrite): Promise<PepperSegment> {
    const path = '/segments';
    const data = await this.call('POST', path, { body: segment, idempotent: false });
    return this.readBody('POST', path, () => parsePepperSegment(data));
  }

  /** The segment, or null when Pepper does not have it (deleted by hand). */
  async getSegment(segmentId: string): Promise<PepperSegment | null> {
    const path = `/segments/${encodeURIComponent(segmentId)}`;
    try {
      const data = await this.call('GET', path, {});
      return this.readBody('GET', path, () => parsePepperSegment(data));
    } catch (error) {
      if (error instanceof PepperError && error.code === 'NOT_FOUND') return null;
      throw error;
    }
  }

  /** Every segment of the tenant (v12+), a page at a time. */
  segmentsPages(): AsyncIterable<ValidatedPage<PepperSegment>> {
    return this.pages('/segments', { limit: this.limit() }, parsePepperSegment);
  }

  /** The segment's member user ids, a page at a time. */
  segmentMembersPages(segmentId: string): AsyncIterable<ValidatedPage<string>> {
    return this.pages(`/segments/${encodeURIComponent(segmentId)}/users`, { limit: this.limit() }, parseSegmentMember);
  }

  /** Adds members (a bare JSON array, at most 100). Adding a member twice is safe, so a retry is too. */
  async addSegmentUsers(segmentId: string, userIds: readonly string[]): Promise<void> {
    assertSegmentBatch(userIds);
    await this.call('POST', `/segments/${encodeURIComponent(segmentId)}/users`, { body: userIds, idempotent: true });
  }

  /** Removes members (a bare JSON array, at most 100); removing a non-member is safe. The method is inferred. */
  async removeSegmentUsers(segmentId: string, userIds: readonly string[]): Promise<void> {
    assertSegmentBatch(userIds);
    await this.call('DELETE', `/segments/${encodeURIComponent(segmentId)}/users`, { body: userIds, idempotent: true });
  }

  // ---- notifications (pepper-api.md §9; creation paths inferred)

  /** Sends one notification to one user; answers its id. Pepper documents no nonce: never resent blindly. */
  async notifyUser(userId: string, notification: PepperNotificationWrite): Promise<string> {
    const path = `/users/${encodeURIComponent(userId)}/notifications`;
    const data = await this.call('POST', path, { body: notificationToWire(notification), idempotent: false });
    return this.readBody('POST', path, () => parseCreatedPepperId(data));
  }

  /** Sends one notification to the members of segments; answers its id. Never resent blindly. */
  async notifySegments(segmentIds: readonly string[], notification: PepperNotificationWrite): Promise<string> {
    const path = '/notifications';
    const data = await this.call('POST', path, { body: { ...notificationToWire(notification), segmentIds }, idempotent: false });
    return this.readBody('POST', path, () => parseCreatedPepperId(data));
  }

  async getNotification(notificationId: string): Promise<PepperNotificationStatus> {
    const path = `/notifications/${encodeURIComponent(notificationId)}`;
    const data = await this.call('GET', path, {});
    return this.readBody('GET', path, () => parsePepperNotification(data));
  }

  /** The user's notification receipts (kept 45 days), a page at a time: how a send whose answer was lost is settled. */
  userNotificationReceiptsPages(userId: string): AsyncIterable<ValidatedPage<PepperNotificationReceipt>> {
    return this.pages(`/users/${encodeURIComponent(userId)}/notifications/receipts`, { limit: this.limit() }, parsePepperReceipt);
  }

  // ---- menus (PEPPER_MENU_API_URL; path inferred)

  /** The products on one location's menu. */
  async getMenu(locationId: string): Promise<PepperMenuProduct[]> {
    const path = '/menu';
    const response = await this.menuHttp.request({ method: 'GET', path, query: { locationId }, idempotent: true });
    return this.readBody('GET', path, () => parseMenu(response.data));
  }

  /**
   * Every page of a list. Without a `page.nextKey` a page is the last one — unless `readOn` (for lists whose pages may
   * come without `page`) says how to ask for the rest.
   */
  private async *pages<T>(
    path: string,
    query: QueryParams,
    parse: (raw: unknown) => T,
    readOn?: (page: { rawItems: unknown[]; items: T[] }, query: QueryParams) => QueryParams | null,
  ): AsyncGenerator<ValidatedPage<T>> {
    let startKey: string | null = null;
    for (;;) {
      const data = await this.call('GET', path, { query: { ...query, startKey } });
      const page = this.readBody('GET', path, () => readPepperListPage(data, LIST_ENVELOPES));
      const validated = validateItems(page.rawItems, parse, pepperExternalId);
      yield validated;
      if (page.nextKey === null && !page.hasPage && readOn) {
        const next = readOn({ rawItems: page.rawItems, items: validated.items }, query);
        if (next === null) return;
        query = next;
        continue;
      }
      if (page.nextKey === null) return;
      if (page.nextKey === startKey) {
        throw this.invalidResponse('GET', path, 'page.nextKey repeats the startKey just sent');
      }
      startKey = page.nextKey;
    }
  }

  private async call(
    method: HttpMethod,
    path: string,
    opts: { query?: QueryParams; body?: unknown; idempotent?: boolean },
  ): Promise<unknown> {
    const response = await this.http.request({
      method,
      path,
      query: opts.query,
      body: opts.body,
      idempotent: opts.idempotent ?? method === 'GET',
    });
    return response.data;
  }

  /** Runs an edge parser; a body that does not fit is INVALID_RESPONSE (for a write: done, but unreadable). */
  private readBody<T>(method: HttpMethod, path: string, parse: () => T): T {
    try {
      return parse();
    } catch (err) {
      if (err instanceof ShapeError) throw this.invalidResponse(method, path, err.message);
      throw err;
    }
  }

  private invalidResponse(method: HttpMethod, path: string, reason: string): PepperError {
    const safeReason = safeUpstreamText(reason, [this.config.pepper.authToken]);
    return new PepperError(`Pepper ${method} ${path} answered with an unexpected body: ${safeReason}`, {
      code: 'INVALID_RESPONSE',
      outcomeUnknown: method !== 'GET',
    });
  }

  private limit(pageSize?: number): number {
    return pageSize ?? this.config.pepper.pageSize;
  }
}

function assertSegmentBatch(userIds: readonly string[]): void {
  if (userIds.length === 0 || userIds.length > SEGMENT_CALL_MAX_USERS) {
    throw new RangeError(`a segment call takes 1 to ${SEGMENT_CALL_MAX_USERS} user ids, got ${userIds.length}`);
  }
}

/** The notification body Pepper takes (`type: "alert"`, `value` reserved). */
function notificationToWire(n: PepperNotificationWrite): Record<string, unknown> {
  return { ...(n.title ? { title: n.title } : {}), message: n.message, type: 'alert', value: '', isProcessingMessage: n.isProcessingMessage };
}

function assertPositiveInteger(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
}

function assertNonNegativeInteger(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  }
}
