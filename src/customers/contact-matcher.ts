import type { CrmContact } from '../crmcom/crmcom.types';
import type { MatchedBy, MatchingConflictKind } from '../persistence/entities';
import type { UserIdentity } from './identity';

/** What the matcher needs to look contacts up: CRM.COM searches and the link table. */
export interface ContactDirectory {
  byCode(code: string): Promise<CrmContact[]>;
  byEmail(email: string): Promise<CrmContact[]>;
  byPhone(phone: string): Promise<CrmContact[]>;
  /** the Pepper user another LINKED link gives this contact to, if any */
  linkedUserOf(contactId: string): Promise<string | null>;
}

export type MatchDecision =
  | { kind: 'LINK'; contact: CrmContact; matchedBy: Exclude<MatchedBy, 'CREATED' | 'MANUAL'> }
  | { kind: 'CREATE' }
  | {
      kind: 'CONFLICT';
      conflictKind: MatchingConflictKind;
      candidateContactIds: string[];
      reason: string;
      details: Record<string, unknown>;
    };

async function unionOf(keys: string[], lookup: (key: string) => Promise<CrmContact[]>): Promise<CrmContact[]> {
  const byId = new Map<string, CrmContact>();
  for (const key of keys) for (const contact of await lookup(key)) byId.set(contact.id, contact);
  return [...byId.values()];
}

const ids = (contacts: CrmContact[]): string[] => [...new Set(contacts.map((c) => c.id))];

/**
 * Decides how a Pepper user maps to a CRM.COM contact: code → verified email → verified phone → create.
 * Anything ambiguous is a conflict for an operator; it never guesses.
 */
export async function decideMatch(
  pepperUserId: string,
  identity: UserIdentity,
  directory: ContactDirectory,
): Promise<MatchDecision> {
  const conflict = (
    conflictKind: MatchingConflictKind,
    contacts: CrmContact[],
    reason: string,
    details: Record<string, unknown> = {},
  ): MatchDecision => ({ kind: 'CONFLICT', conflictKind, candidateContactIds: ids(contacts), reason, details });

  const byCode = await directory.byCode(pepperUserId);
  if (byCode.length > 1) return conflict('AMBIGUOUS_MATCH', byCode, 'several contacts carry this user id as their code');

  let candidate: CrmContact | null = byCode[0] ?? null;
  let matchedBy: 'CODE' | 'EMAIL' | 'PHONE' = 'CODE';

  if (!candidate) {
    const byEmail = await unionOf(identity.verifiedEmails, (e) => directory.byEmail(e));
    const byPhone = await unionOf(identity.verifiedPhones, (p) => directory.byPhone(p));
    if (byEmail.length > 1) {
      return conflict('AMBIGUOUS_MATCH', byEmail, 'several contacts hold the verified email', { field: 'email' });
    }
    if (byPhone.length > 1) {
      return conflict('AMBIGUOUS_MATCH', byPhone, 'several contacts hold the verified phone', { field: 'phone' });
    }
    if (byEmail[0] && byPhone[0] && byEmail[0].id !== byPhone[0].id) {
      return conflict('EMAIL_PHONE_MISMATCH', [byEmail[0], byPhone[0]], 'the verified email and phone belong to different contacts', {
        emailContactId: byEmail[0].id,
        phoneContactId: byPhone[0].id,
      });
    }
    candidate = byEmail[0] ?? byPhone[0] ?? null;
    matchedBy = byEmail[0] ? 'EMAIL' : 'PHONE';

    const unverified = [
      ...(await unionOf(identity.unverifiedEmails, (e) => directory.byEmail(e))),
      ...(await unionOf(identity.unverifiedPhones, (p) => directory.byPhone(p))),
    ].filter((c) => c.id !== candidate?.id);
    if (unverified.length > 0) {
      return conflict(
        'UNVERIFIED_MATCH',
        candidate ? [candidate, ...unverified] : unverified,
        candidate
          ? 'an unverified credential points at another contact than the verified match'
          : 'the only match is through an unverified credential',
        { verifiedMatchContactId: candidate?.id ?? null },
      );
    }
  }

  if (!candidate) return { kind: 'CREATE' };

  const owner = await directory.linkedUserOf(candidate.id);
  if (owner && owner !== pepperUserId) {
    return conflict('CONTACT_LINKED_ELSEWHERE', [candidate], 'the matching contact is already linked to another Pepper user', {
      linkedPepperUserId: owner,
      matchedBy,
    });
  }
  return { kind: 'LINK', contact: candidate, matchedBy };
}
