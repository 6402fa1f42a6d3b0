import type { CrmJournal } from '../crmcom/crmcom.types';
import { parsePepperAction } from '../pepper/pepper.parsers';
import type { PepperAction } from '../pepper/pepper.types';
import type { InboundEventEntity } from '../persistence/entities';
import { asRecord, optionalString, requiredString, ShapeError } from '../upstream/json-shape';

/**
 * One schema per stored event payload, checked when it is read back (a row written by an older version, or edited by
 * hand, is an error with a message, never an unchecked cast):
 * - a Pepper action is stored as Pepper sent it and read through the same edge parser as when it was taken in;
 * - a CRM.COM wallet journal is stored as the client parsed it (`CrmJournal`, integer minor units);
 * - an opening balance is stored as `OpeningPayload`.
 */
export function storedPepperAction(event: InboundEventEntity): PepperAction {
  return parsePepperAction(event.payload);
}

export function storedCrmJournal(event: InboundEventEntity): CrmJournal {
  const r = asRecord(event.payload, 'stored journal');
  return {
    id: requiredString(r, 'id'),
    // an unknown type is the journal rules' to park, with the reason
    type: requiredString(r, 'type') as CrmJournal['type'],
    transactionType: optionalString(r, 'transactionType'),
    amountMinor: integer(r, 'amountMinor', 'stored journal'),
    currency: optionalString(r, 'currency'),
    postedOn: integer(r, 'postedOn', 'stored journal'),
    contactId: optionalString(r, 'contactId'),
    walletId: optionalString(r, 'walletId'),
    entity: optionalString(r, 'entity'),
    referenceNumber: optionalString(r, 'referenceNumber'),
    purchaseId: optionalString(r, 'purchaseId'),
  };
}

export interface OpeningPayload {
  contactId: string;
  walletId: string | null;
  created: boolean;
  /** both balances as they were at the moment of linking (null when they could not be read then) */
  pepperPointsAtLink: number | null;
  walletMinorAtLink: number | null;
}

export function storedOpening(event: InboundEventEntity): OpeningPayload {
  const r = asRecord(event.payload, 'stored opening balance');
  if (typeof r.created !== 'boolean') throw new ShapeError('stored opening balance: created must be a boolean');
  return {
    contactId: requiredString(r, 'contactId'),
    walletId: optionalString(r, 'walletId'),
    created: r.created,
    pepperPointsAtLink: r.pepperPointsAtLink === null || r.pepperPointsAtLink === undefined ? null : integer(r, 'pepperPointsAtLink', 'stored opening balance'),
    walletMinorAtLink: r.walletMinorAtLink === null || r.walletMinorAtLink === undefined ? null : integer(r, 'walletMinorAtLink', 'stored opening balance'),
  };
}

function integer(r: Record<string, unknown>, field: string, what: string): number {
  const value = r[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new ShapeError(`${what}: ${field} must be a whole number`);
  return value;
}
