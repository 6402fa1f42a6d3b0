import type { PepperAction } from '../../pepper/pepper.types';

export const MOVEMENT_TYPES = ['REWARD_EARNED', 'REDEEM_PERK', 'AWARD_POINTS_REFUNDED', 'AWARD_POINTS_RESET'] as const;
export type MovementType = (typeof MOVEMENT_TYPES)[number];

export interface AwardMovement {
  type: MovementType;
  awardId: string;
  perkId: string;
  /** pointsAdded / pointsRedeemed / pointsRefunded (0 for a reset) */
  points: number;
  /** the award's balance after the action */
  pointsAvailable: number;
}

const POINTS_FIELD: Record<MovementType, string | null> = {
  REWARD_EARNED: 'pointsAdded',
  REDEEM_PERK: 'pointsRedeemed',
  AWARD_POINTS_REFUNDED: 'pointsRefunded',
  AWARD_POINTS_RESET: null,
};

const isPoints = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 200;

/**
 * Reads an award movement from an action's metadata. AWARD_POINTS_RESET's metadata is not documented; it is
 * assumed to carry awardId, perkId and pointsAvailable like the other movements (pepper-api.md §4).
 */
export function readAwardMovement(action: PepperAction): { ok: true; movement: AwardMovement } | { ok: false; reason: string } {
  const type = action.type as MovementType;
  const m = action.metadata;
  if (!isId(m.awardId)) return { ok: false, reason: 'metadata.awardId is missing or not an id' };
  if (!isId(m.perkId)) return { ok: false, reason: 'metadata.perkId is missing or not an id' };
  if (!isPoints(m.pointsAvailable)) return { ok: false, reason: 'metadata.pointsAvailable must be a whole number ≥ 0' };
  const field = POINTS_FIELD[type];
  const points = field ? m[field] : 0;
  if (!isPoints(points)) return { ok: false, reason: `metadata.${field} must be a whole number ≥ 0` };
  return { ok: true, movement: { type, awardId: m.awardId, perkId: m.perkId, points, pointsAvailable: m.pointsAvailable } };
}
