import { Clock } from '../common/clock';
import { Sleeper } from '../common/sleeper';
import { AppConfig } from '../config/app-config';
import { HttpMethod, safeUpstreamText } from '../upstream/http-failure';
import { ShapeError } from '../upstream/json-shape';
import { ValidatedPage, validateItems } from '../upstream/paging';
import { QueryParams } from '../upstream/query-string';
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

const LIST_ENVELOPES = ['items', 'actions'] as const;
const POINT_AWARDS_ENVELOPES = ['awards', 'items'] as const;
const AWARD_FIELDS = '_id,userId,perkId,points,updatedAt';

/** The Pepper Platform API calls the connector makes (pepper-api.md). */
export class PepperClient {
  private readonly http: RetryingHttp;

  constructor(
    private readonly config: AppConfig,
    clock: Clock,
    sleeper: Sleeper,
    random: () => number = Math.random,
    observer: UpstreamObserver | null = null,
  ) {
    const pepper = config.pepper;
    const secrets = (): string[] => [pepper.authToken];
    this.http = new RetryingHttp({
      upstream: 'pepper',
      label: 'Pepper',
      baseURL: pepper.apiUrl,
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
      toError: (failure) => pepperErrorFromFailure(failure, secrets()),
    });
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
