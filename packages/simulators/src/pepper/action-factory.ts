import type { PepperAction } from './pepper-types';

export interface ActionParts {
  id: string;
  type: string;
  at: Date;
  tenant: { _id: string; title: string };
  user?: { _id: string; fullName: string };
  locationId?: string;
  metadata: Record<string, unknown>;
  rawOverride?: Record<string, unknown>;
}

/** Builds an action as `GET /actions` serves it (pepper-api.md §4, without the derived `when` fields). */
export function buildAction(parts: ActionParts): PepperAction {
  const context: PepperAction['context'] = { tenant: { ...parts.tenant } };
  if (parts.user) context.user = { ...parts.user };
  if (parts.locationId !== undefined) context.location = { _id: parts.locationId, title: locationTitle(parts.locationId) };
  const action: PepperAction = {
    _id: parts.id,
    type: parts.type,
    tenantId: parts.tenant._id,
    source: 'API_SERVER',
    version: '0',
    environment: 'BETA',
    when: { timestamp: parts.at.toISOString(), timezone: 'Europe/London' },
    context,
    metadata: structuredClone(parts.metadata),
  };
  if (!parts.rawOverride) return action;
  const merged: Record<string, unknown> = { ...action, ...structuredClone(parts.rawOverride) };
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
  return merged as PepperAction;
}

function locationTitle(locationId: string): string {
  return `Location ${locationId}`;
}
