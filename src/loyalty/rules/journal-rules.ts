import type { CrmJournal } from '../../crmcom/crmcom.types';
import { keyPrefix } from '../../ledger/keys';

/**
 * What a CRM.COM wallet journal means for the user's Pepper wallet award (README, "Wallet → Pepper").
 */

export interface JournalRulesContext {
  applicationId: string;
  /** `CRMCOM_CURRENCY`. */
  currency: string;
  /** Ids CRM.COM returned for the connector's own journal POSTs (outbound_write). */
  ownJournalIds: ReadonlySet<string>;
}

export type JournalClassification =
  | { kind: 'SKIP'; reason: string }
  | { kind: 'CREDIT' | 'DEBIT'; amountMinor: number }
  | { kind: 'PARK'; reason: string };

/**
 * Rules, in order:
 * - The connector's own mirrors are skipped, or every Pepper movement would bounce back to Pepper. They are
 *   recognised by the journal id its POST returned and — for the case where the POST's answer was lost — by the
 *   reference prefixes only the connector writes for this application: `pepper:<appId>:action:` (a Pepper movement)
 *   and `pepper:<appId>:opening:` (a carried-in opening balance). The prefix includes the application id, because
 *   another merchant's connector on a shared CRM.COM is not our mirror.
 * - `pepper:<appId>:order:` is deliberately not a mirror: it is the award CRM.COM's reward offer gave on the
 *   purchase we sent, which Pepper has not seen yet.
 * - A zero amount moves nothing; a negative DEBIT is a debit (the sign agrees); a negative CREDIT is parked.
 * - No currency conversion: a journal in another currency is parked for an operator. A missing or blank currency
 *   is assumed to be the wallet's, since a CRM.COM wallet holds one currency. Codes are compared case-insensitively.
 * - A type or amount outside the typed contract (the parser should prevent it) is parked, never guessed.
 */
export function classifyJournal(journal: CrmJournal, ctx: JournalRulesContext): JournalClassification {
  if (ctx.ownJournalIds.has(journal.id)) return { kind: 'SKIP', reason: 'own mirror (journal id)' };
  const reference = journal.referenceNumber;
  if (reference !== null && reference !== undefined) {
    for (const prefix of ownReferencePrefixes(ctx.applicationId)) {
      if (reference.startsWith(prefix)) return { kind: 'SKIP', reason: `own mirror (reference ${prefix}…)` };
    }
  }

  if (!Number.isSafeInteger(journal.amountMinor)) {
    return { kind: 'PARK', reason: `amount ${String(journal.amountMinor)} is not a whole number of minor units` };
  }
  if (journal.amountMinor === 0) return { kind: 'SKIP', reason: 'zero amount' };
  // Some ledgers write a debit as a negative amount: its sign agrees with its type, so it is a debit of the absolute
  // amount. A negative credit could mean a reversal or a debit; it is parked rather than guessed.
  if (journal.amountMinor < 0 && journal.type !== 'DEBIT') {
    return { kind: 'PARK', reason: `a ${journal.type} with a negative amount (${journal.amountMinor}) is ambiguous; not applied` };
  }

  const currency = journal.currency?.trim();
  if (currency && currency.toUpperCase() !== ctx.currency.trim().toUpperCase()) {
    return {
      kind: 'PARK',
      reason: `journal currency ${JSON.stringify(cut(currency))} differs from the configured ${JSON.stringify(ctx.currency)}; not converted`,
    };
  }

  if (journal.type === 'CREDIT' || journal.type === 'DEBIT') return { kind: journal.type, amountMinor: Math.abs(journal.amountMinor) };
  return { kind: 'PARK', reason: `unknown journal type ${JSON.stringify(cut(String(journal.type)))}` };
}

/** The references the connector itself writes on journals for this application (never the order one). */
export function ownReferencePrefixes(applicationId: string): readonly string[] {
  return [keyPrefix('action', applicationId), keyPrefix('opening', applicationId)];
}

function cut(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
