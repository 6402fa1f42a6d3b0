import { asRecord, isRecord, optionalString, requiredString } from '../upstream/json-shape';
import { QueryParams } from '../upstream/query-string';
import type { JsonBody } from './crmcom.wire';

/**
 * The CRM.COM calls behind segments and products that no public document settles (design §9): each guess is one
 * line here, marked `inferred`, modelled by the simulator. Change them here if a real tenant disagrees.
 */

export type CrmAudienceKind = 'segment' | 'tier' | 'tag';

export interface CrmAudience {
  kind: CrmAudienceKind;
  id: string;
}

export interface AudienceRequest {
  path: string;
  query: QueryParams;
  /** whether a returned contact record proves it belongs to the audience; null when the record cannot tell */
  belongs: ((raw: unknown) => boolean) | null;
}

export function audienceRequest(audience: CrmAudience): AudienceRequest {
  switch (audience.kind) {
    case 'segment': // inferred: a contact segment's members
      return { path: `/segments/${encodeURIComponent(audience.id)}/contacts`, query: {}, belongs: null };
    case 'tier': // inferred: contacts filtered by reward tier, each carrying `reward_tier: {id}`
      return { path: '/contacts', query: { reward_tier_id: audience.id }, belongs: (raw) => idOf(raw, 'reward_tier') === audience.id };
    case 'tag': // inferred: contacts filtered by tag, each carrying `tags: [{id}]`
      return { path: '/contacts', query: { tag_id: audience.id }, belongs: (raw) => tagIdsOf(raw).includes(audience.id) };
  }
}

export function contactIdOf(raw: unknown): string {
  return requiredString(asRecord(raw, 'contact'), 'id');
}

function idOf(raw: unknown, field: string): string | null {
  if (!isRecord(raw) || !isRecord(raw[field])) return null;
  return optionalString(raw[field], 'id');
}

function tagIdsOf(raw: unknown): string[] {
  if (!isRecord(raw) || !Array.isArray(raw.tags)) return [];
  return raw.tags.flatMap((tag) => (isRecord(tag) && typeof tag.id === 'string' ? [tag.id] : []));
}

/** A product as the connector writes it: the Pepper product id is CRM.COM's legacy `code` and v5 `sku`. */
export interface CrmProductWrite {
  sku: string;
  name: string;
  category: string | null;
  /** major units as decimal text, informational */
  price: string | null;
  /** epoch seconds: the validity ends (a product gone from every menu); null: valid */
  validTo: number | null;
}

/** Legacy `products/synchronise` takes at most this many products per call (seed 004). */
export const LEGACY_SYNC_MAX_PRODUCTS = 1000;

export const LEGACY_SYNC_PATH = '/products/synchronise'; // inferred base: below CRMCOM_API_URL

/** One entry of the legacy `products_set` (seed 004 / WIKI field names). */
export function legacyProductToWire(p: CrmProductWrite): JsonBody {
  return {
    code: p.sku,
    description: p.name,
    ...(p.category ? { category: p.category } : {}),
    ...(p.price !== null ? { udf_price: p.price } : {}), // inferred: the price rides in a user-defined field
    ...(p.validTo !== null ? { product_validity_to: p.validTo } : {}),
  };
}

/** v5 per-product create/update body (inferred; `sku` and `name` required). */
export function v5ProductToWire(p: CrmProductWrite): JsonBody {
  return {
    sku: p.sku,
    name: p.name,
    ...(p.category ? { classification: p.category } : {}),
    ...(p.price !== null ? { price: p.price } : {}),
    ...(p.validTo !== null ? { validity_to: p.validTo } : {}),
  };
}
