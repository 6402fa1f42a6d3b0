/** Resource shapes served by the Pepper simulator, following pepper-api.md (v12 resources). */

export type PerkTemplate = 'PSEUDO_CURRENCY' | 'STAMP_CARD' | 'AD_HOC' | 'LEVEL' | 'CLUB';
export type CredentialProvider = 'EMAIL' | 'MOBILE';

export interface PepperCredential {
  _id: string;
  /** the email address or phone number itself */
  id: string;
  provider: CredentialProvider;
  isVerified: boolean;
  isPrimary: boolean;
}

export interface PepperUser {
  /** users use `id`, unlike every other resource (`_id`) */
  id: string;
  tenantId: string;
  firstName: string;
  lastName: string;
  fullName: string;
  state: 'ACTIVE';
  isGuest: boolean;
  roles: string[];
  hasAgreedToShareData: boolean;
  hasAgreedToReceiveMarketing: boolean;
  created: string;
  updatedAt: string;
  deleted: boolean;
  /** only served with `include=credentials` */
  credentials?: PepperCredential[];
}

export interface PepperPerk {
  _id: string;
  tenantId: string;
  template: PerkTemplate;
  title: string;
  internalTitle: string;
  enabled: boolean;
  isGlobal: boolean;
  points: Record<string, unknown>;
  updatedAt: string;
}

export interface PepperAward {
  _id: string;
  tenantId: string;
  userId: string;
  perkId: string;
  loyaltyProvider: 'PEPPER';
  template: PerkTemplate;
  title: string;
  points: { available: number };
  updatedAt: string;
}

export interface PepperAction {
  _id: string;
  type: string;
  tenantId: string;
  source: 'API_SERVER';
  version: '0';
  environment: 'BETA';
  when: { timestamp: string; timezone: string };
  context: {
    tenant: { _id: string; title: string };
    user?: { _id: string; fullName: string };
    location?: { _id: string; title: string };
  };
  metadata: Record<string, unknown>;
  /** whatever a test merged in through `rawOverride` */
  [extra: string]: unknown;
}

export interface UserInput {
  id?: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  /** default true */
  emailVerified?: boolean;
  /** E.164 or a local form; stored exactly as given */
  phone?: string;
  /** default true */
  phoneVerified?: boolean;
  marketing?: boolean;
}

/** `null` or '' removes the email or phone credential. */
export type UserPatch = Omit<UserInput, 'id' | 'email' | 'phone'> & { email?: string | null; phone?: string | null };

export interface UserWriteOptions {
  /** default true */
  emitAction?: boolean;
  at?: Date;
}

export interface PerkInput {
  title: string;
  template: PerkTemplate;
  /** default true */
  enabled?: boolean;
  id?: string;
  internalTitle?: string;
  isGlobal?: boolean;
}

/** Options of the calls that move points or record orders (they all emit an action). */
export interface MovementOptions {
  at?: Date;
  visibleAt?: Date;
  locationId?: string;
}

export interface OrderLine {
  productId: string;
  title: string;
  quantity: number;
  /** major units, e.g. 12.5 or "12.50" */
  price: string | number;
}

export interface OrderInput {
  orderId?: string;
  /** major units, e.g. 12.5 or "12.50" */
  total: string | number;
  /** default 'EUR' */
  currency?: string;
  items: OrderLine[];
  locationId?: string;
  at?: Date;
  visibleAt?: Date;
}

export interface EmitActionInput {
  type: string;
  userId?: string;
  metadata?: Record<string, unknown>;
  /** when.timestamp; default now() */
  at?: Date;
  /** hidden from GET /actions until now() >= visibleAt (late indexing); default always visible */
  visibleAt?: Date;
  locationId?: string;
  /** shallow-merged over the generated action, to build malformed ones; a key set to undefined is dropped */
  rawOverride?: Record<string, unknown>;
}
