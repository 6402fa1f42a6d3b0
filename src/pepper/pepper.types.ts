/** Pepper resources as the connector uses them, validated at the edge by pepper.parsers.ts. */

export interface PepperCredential {
  /** The email address or phone number itself. */
  id: string;
  provider: 'EMAIL' | 'MOBILE' | string;
  isVerified: boolean;
  isPrimary: boolean;
}

export interface PepperUser {
  id: string;
  firstName: string | null;
  lastName: string | null;
  deleted: boolean;
  hasAgreedToReceiveMarketing: boolean;
  credentials: PepperCredential[];
  updatedAt: string | null;
}

export interface PepperPerk {
  /** From `_id`. */
  id: string;
  template: string;
  title: string;
  enabled: boolean;
}

export interface PepperAward {
  /** From `_id`. */
  id: string;
  userId: string;
  perkId: string;
  /** `points.available`, an integer. */
  pointsAvailable: number;
  updatedAt: string | null;
}

export interface PepperAction {
  /** From `_id`. */
  id: string;
  type: string;
  /** `when.timestamp`, normalised to ISO-8601 UTC with milliseconds. */
  timestamp: string;
  /** `context.user._id`. */
  userId: string | null;
  /** `context.location._id`. */
  locationId: string | null;
  metadata: Record<string, unknown>;
  raw: Record<string, unknown>;
}

export interface ActionsWindow {
  /** Exclusive lower bound (`when.timestamp.gt`), ISO-8601. */
  gt: string;
  /** Inclusive upper bound (`when.timestamp.lte`), ISO-8601. */
  lte: string;
  types: readonly string[];
  pageSize?: number;
}
