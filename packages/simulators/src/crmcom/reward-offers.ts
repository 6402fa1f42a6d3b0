import { majorTextToMinor, percentOfMinor } from './money';

/** A reward offer the simulator applies to every purchase: a percentage of the total, or a fixed amount. */
export interface RewardOffer {
  name: string;
  percent?: number;
  /** major units as decimal text, e.g. "1.50" */
  fixedAmount?: string;
}

export function awardMinorFor(offer: RewardOffer, purchaseTotalMinor: number): number {
  if (offer.fixedAmount !== undefined) {
    const fixed = majorTextToMinor(offer.fixedAmount);
    if (fixed === undefined) throw new Error(`Reward offer "${offer.name}" has an invalid fixedAmount`);
    return fixed;
  }
  if (offer.percent !== undefined) return percentOfMinor(purchaseTotalMinor, offer.percent);
  return 0;
}
