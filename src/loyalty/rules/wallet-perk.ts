import type { PerkEntity } from '../../persistence/entities';

const PSEUDO_CURRENCY = 'PSEUDO_CURRENCY';

/**
 * The perk whose award mirrors the wallet: the one WALLET_PERK_ID names, or else the one enabled PSEUDO_CURRENCY perk.
 * Anything else (missing, disabled, another template, none or several) is a reason loyalty stays off.
 */
export function chooseWalletPerk(perks: PerkEntity[], configured: string | null): { perk: PerkEntity } | { reason: string } {
  if (configured) {
    const perk = perks.find((p) => p.perkId === configured);
    if (!perk) return { reason: `WALLET_PERK_ID ${configured} is not a Pepper perk of this merchant` };
    if (!perk.enabled) return { reason: `the wallet perk ${configured} ("${perk.title}") is disabled in Pepper` };
    if (perk.template !== PSEUDO_CURRENCY) return { reason: `the wallet perk ${configured} is a ${perk.template} perk, not ${PSEUDO_CURRENCY}` };
    return { perk };
  }
  const candidates = perks.filter((p) => p.enabled && p.template === PSEUDO_CURRENCY);
  if (candidates.length === 0) return { reason: `no enabled ${PSEUDO_CURRENCY} perk in Pepper; create one or set WALLET_PERK_ID` };
  if (candidates.length > 1) {
    return { reason: `several enabled ${PSEUDO_CURRENCY} perks (${candidates.map((p) => p.perkId).join(', ')}); set WALLET_PERK_ID to choose` };
  }
  return { perk: candidates[0] };
}
