import { ActionLog, type ActionSearch } from './action-log';
import { buildAction } from './action-factory';
import { IdSequence } from './id-sequence';
import { OrderedStore } from './ordered-store';
import {
  assertNonNegativeInteger,
  assertPositiveInteger,
  notFound,
  validationError,
} from './pepper-errors';
import type {
  EmitActionInput,
  MovementOptions,
  OrderInput,
  PepperAction,
  PepperAward,
  PepperPerk,
  PepperUser,
  PerkInput,
  UserInput,
  UserPatch,
  UserWriteOptions,
} from './pepper-types';
import { createUser, patchUser, publicUser, redactUser, type StoredUser } from './user-records';
import { matchesTime, type TimeFilter } from './time-filter';

export interface PepperStateOptions {
  tenantId: string;
  tenantTitle: string;
  now?: () => Date;
}

export interface AwardSearch {
  userId?: string;
  perkId?: string;
  updatedAt?: TimeFilter;
  includeDisabled?: boolean;
}

/**
 * The simulated tenant: users, perks, awards and the actions they emit. Every change is synchronous, and every
 * getter returns a copy, so tests can neither race nor corrupt it.
 */
export class PepperState {
  protected readonly now: () => Date;
  readonly tenantId: string;
  readonly tenantTitle: string;
  private readonly ids = new IdSequence();
  private readonly userStore = new OrderedStore<StoredUser>((u) => u.id);
  private readonly perkStore = new OrderedStore<PepperPerk>((p) => p._id);
  private readonly awardStore = new OrderedStore<PepperAward>((a) => a._id);
  /** `${userId} ${perkId}` -> award id: a user holds at most one award per perk */
  private awardsByHolding = new Map<string, string>();
  private readonly actionLog = new ActionLog();

  constructor(options: PepperStateOptions) {
    this.now = options.now ?? (() => new Date());
    this.tenantId = options.tenantId;
    this.tenantTitle = options.tenantTitle;
  }

  // ---- users

  addUser(input: UserInput = {}, opts: UserWriteOptions = {}): PepperUser {
    if (input.id !== undefined && this.userStore.has(input.id)) throw validationError(`User ${input.id} already exists`);
    const id = input.id ?? this.ids.next('usr', (candidate) => this.userStore.has(candidate));
    const at = opts.at ?? this.now();
    const user = createUser(id, this.tenantId, input, at.toISOString(), () => this.ids.next('crd'));
    this.userStore.add(user);
    if (opts.emitAction !== false) this.emitAction({ type: 'USER_CREATED', userId: id, at });
    return publicUser(user, true);
  }

  updateUser(id: string, patch: UserPatch, opts: UserWriteOptions = {}): PepperUser {
    const user = this.liveUser(id);
    const at = opts.at ?? this.now();
    patchUser(user, patch, at.toISOString(), () => this.ids.next('crd'));
    if (opts.emitAction !== false) this.emitAction({ type: 'USER_CHANGED', userId: id, at });
    return publicUser(user, true);
  }

  deleteUser(id: string, opts: UserWriteOptions = {}): PepperUser {
    const user = this.liveUser(id);
    const at = opts.at ?? this.now();
    redactUser(user, at.toISOString());
    if (opts.emitAction !== false) this.emitAction({ type: 'USER_DELETED', userId: id, at });
    return publicUser(user, true);
  }

  users(): PepperUser[] {
    return this.userStore.list().map((u) => publicUser(u, true));
  }

  getUser(id: string): PepperUser | undefined {
    const user = this.userStore.get(id);
    return user && publicUser(user, true);
  }

  listUsers(startKey: string | undefined, limit: number, includeCredentials: boolean) {
    const { items, nextKey } = this.userStore.page(startKey, limit);
    return { items: items.map((u) => publicUser(u, includeCredentials)), nextKey };
  }

  // ---- perks

  addPerk(input: PerkInput): PepperPerk {
    if (input.id !== undefined && this.perkStore.has(input.id)) throw validationError(`Perk ${input.id} already exists`);
    const perk: PepperPerk = {
      _id: input.id ?? this.ids.next('prk', (candidate) => this.perkStore.has(candidate)),
      tenantId: this.tenantId,
      template: input.template,
      title: input.title,
      internalTitle: input.internalTitle ?? input.title,
      enabled: input.enabled ?? true,
      isGlobal: input.isGlobal ?? false,
      points: {},
      updatedAt: this.now().toISOString(),
    };
    this.perkStore.add(perk);
    return structuredClone(perk);
  }

  setPerkEnabled(perkId: string, enabled: boolean): PepperPerk {
    const perk = this.perk(perkId);
    perk.enabled = enabled;
    perk.updatedAt = this.now().toISOString();
    return structuredClone(perk);
  }

  perks(): PepperPerk[] {
    return structuredClone([...this.perkStore.list()]);
  }

  getPerk(id: string): PepperPerk | undefined {
    const perk = this.perkStore.get(id);
    return perk && structuredClone(perk);
  }

  listPerks(startKey: string | undefined, limit: number) {
    const { items, nextKey } = this.perkStore.page(startKey, limit);
    return { items: structuredClone(items), nextKey };
  }

  // ---- awards

  grantAward(userId: string, perkId: string, points: number, opts: MovementOptions = {}): PepperAward {
    assertPositiveInteger(points, 'points');
    const perk = this.perk(perkId);
    this.liveUser(userId);
    if (!perk.enabled) throw validationError(`Perk ${perkId} is disabled`);
    const at = opts.at ?? this.now();
    const award = this.holding(userId, perkId) ?? this.createAward(userId, perk);
    award.points.available += points;
    award.updatedAt = at.toISOString();
    this.emitAction({
      ...opts,
      type: 'REWARD_EARNED',
      userId,
      at,
      metadata: {
        awardId: award._id,
        perkId,
        pointsAdded: points,
        pointsAvailable: award.points.available,
        loyaltyEarned: points,
        trigger: 'API',
      },
    });
    return structuredClone(award);
  }

  redeemAward(userId: string, awardId: string, points: number, opts: MovementOptions = {}): PepperAward {
    assertPositiveInteger(points, 'valueToRedeem');
    const award = this.awardOf(userId, awardId);
    if (!this.perk(award.perkId).enabled) throw validationError(`Perk ${award.perkId} is disabled`);
    if (points > award.points.available) throw validationError('Insufficient points');
    const at = opts.at ?? this.now();
    award.points.available -= points;
    award.updatedAt = at.toISOString();
    this.emitAction({
      ...opts,
      type: 'REDEEM_PERK',
      userId,
      at,
      metadata: { awardId, perkId: award.perkId, pointsRedeemed: points, pointsAvailable: award.points.available },
    });
    return structuredClone(award);
  }

  refundAward(userId: string, awardId: string, points: number, opts: MovementOptions = {}): PepperAward {
    assertPositiveInteger(points, 'value');
    const award = this.awardOf(userId, awardId);
    const at = opts.at ?? this.now();
    award.points.available += points;
    award.updatedAt = at.toISOString();
    this.emitAction({
      ...opts,
      type: 'AWARD_POINTS_REFUNDED',
      userId,
      at,
      metadata: { awardId, perkId: award.perkId, pointsRefunded: points, pointsAvailable: award.points.available },
    });
    return structuredClone(award);
  }

  /** In-app reset: sets the balance and, unlike `setAwardPoints`, emits AWARD_POINTS_RESET. */
  resetAward(awardId: string, available: number, opts: MovementOptions = {}): PepperAward {
    const at = opts.at ?? this.now();
    const award = this.setBalance(awardId, available, at);
    this.emitAction({
      ...opts,
      type: 'AWARD_POINTS_RESET',
      userId: award.userId,
      at,
      metadata: { awardId, perkId: award.perkId, pointsAvailable: award.points.available },
    });
    return structuredClone(award);
  }

  /** What `PUT /pointawards/:awardId` does: sets the balance and emits nothing. */
  setAwardPoints(awardId: string, available: number): PepperAward {
    return structuredClone(this.setBalance(awardId, available, this.now()));
  }

  awards(): PepperAward[] {
    return structuredClone([...this.awardStore.list()]);
  }

  awardsOf(userId: string): PepperAward[] {
    return structuredClone(this.awardStore.list().filter((a) => a.userId === userId));
  }

  getAward(id: string): PepperAward | undefined {
    const award = this.awardStore.get(id);
    return award && structuredClone(award);
  }

  listAwards(startKey: string | undefined, limit: number, search: AwardSearch) {
    const { items, nextKey } = this.awardStore.page(startKey, limit, (award) => this.awardMatches(award, search));
    return { items: structuredClone(items), nextKey };
  }

  /** `GET /users/:userId/pointawards`: 404 for an unknown user. */
  userAwards(userId: string, includeDisabled: boolean): PepperAward[] {
    if (!this.userStore.has(userId)) throw notFound(`User ${userId} not found`);
    return structuredClone(this.awardStore.list().filter((a) => this.awardMatches(a, { userId, includeDisabled })));
  }

  // ---- orders

  completeOrder(userId: string, order: OrderInput): PepperAction {
    this.liveUser(userId);
    return this.emitAction({
      type: 'ORDER_COMPLETED',
      userId,
      at: order.at,
      visibleAt: order.visibleAt,
      locationId: order.locationId,
      metadata: {
        orderId: order.orderId ?? this.ids.next('ord'),
        total: order.total,
        currency: order.currency ?? 'EUR',
        items: order.items,
      },
    });
  }

  refundOrder(userId: string, orderId: string, opts: MovementOptions = {}): PepperAction {
    this.liveUser(userId);
    return this.emitAction({ ...opts, type: 'ORDER_PAYMENT_REFUNDED', userId, metadata: { orderId } });
  }

  // ---- actions

  /** Raw emission; an unknown `userId` is allowed (the action then names no full name). */
  emitAction(input: EmitActionInput): PepperAction {
    const at = input.at ?? this.now();
    const user = input.userId === undefined ? undefined : this.userStore.get(input.userId);
    const action = buildAction({
      id: this.ids.next('act'),
      type: input.type,
      at,
      tenant: { _id: this.tenantId, title: this.tenantTitle },
      user: input.userId === undefined ? undefined : { _id: input.userId, fullName: user?.fullName ?? '' },
      locationId: input.locationId,
      metadata: input.metadata ?? {},
      rawOverride: input.rawOverride,
    });
    this.actionLog.append(action, at.getTime(), input.visibleAt?.getTime() ?? Number.NEGATIVE_INFINITY);
    return structuredClone(action);
  }

  /** all actions, oldest first, visible or not */
  actions(): PepperAction[] {
    return structuredClone(this.actionLog.all());
  }

  /** `GET /actions`: newest first, only what is visible at now() */
  searchActions(search: Omit<ActionSearch, 'nowMs'>) {
    const { items, nextKey } = this.actionLog.search({ ...search, nowMs: this.now().getTime() });
    return { items: structuredClone(items), nextKey };
  }

  reset(): void {
    this.userStore.clear();
    this.perkStore.clear();
    this.awardStore.clear();
    this.awardsByHolding = new Map();
    this.actionLog.clear();
  }

  // ---- internals

  private liveUser(id: string): StoredUser {
    const user = this.userStore.get(id);
    if (!user || user.deleted) throw notFound(`User ${id} not found`);
    return user;
  }

  private perk(id: string): PepperPerk {
    const perk = this.perkStore.get(id);
    if (!perk) throw notFound(`Perk ${id} not found`);
    return perk;
  }

  private awardOf(userId: string, awardId: string): PepperAward {
    const award = this.awardStore.get(awardId);
    const user = this.userStore.get(userId);
    if (!award || award.userId !== userId || !user || user.deleted) throw notFound(`Award ${awardId} not found`);
    return award;
  }

  private holding(userId: string, perkId: string): PepperAward | undefined {
    const awardId = this.awardsByHolding.get(`${userId} ${perkId}`);
    return awardId === undefined ? undefined : this.awardStore.get(awardId);
  }

  private createAward(userId: string, perk: PepperPerk): PepperAward {
    const award: PepperAward = {
      _id: this.ids.next('awd', (candidate) => this.awardStore.has(candidate)),
      tenantId: this.tenantId,
      userId,
      perkId: perk._id,
      loyaltyProvider: 'PEPPER',
      template: perk.template,
      title: perk.title,
      points: { available: 0 },
      updatedAt: this.now().toISOString(),
    };
    this.awardStore.add(award);
    this.awardsByHolding.set(`${userId} ${perk._id}`, award._id);
    return award;
  }

  private setBalance(awardId: string, available: number, at: Date): PepperAward {
    assertNonNegativeInteger(available, 'points.available');
    const award = this.awardStore.get(awardId);
    if (!award) throw notFound(`Award ${awardId} not found`);
    award.points.available = available;
    award.updatedAt = at.toISOString();
    return award;
  }

  private awardMatches(award: PepperAward, search: AwardSearch): boolean {
    return (
      (search.userId === undefined || award.userId === search.userId) &&
      (search.perkId === undefined || award.perkId === search.perkId) &&
      (search.updatedAt === undefined || matchesTime(Date.parse(award.updatedAt), search.updatedAt)) &&
      (search.includeDisabled === true || this.perkStore.get(award.perkId)?.enabled === true)
    );
  }
}
