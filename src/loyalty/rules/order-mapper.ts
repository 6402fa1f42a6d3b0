import { InvalidAmountError, parseDecimalToMinor } from '../../common/money';
import type { CrmPurchaseProduct, CrmPurchaseWrite } from '../../crmcom/crmcom.types';
import type { PepperAction } from '../../pepper/pepper.types';
import { formatKey } from '../../ledger/keys';

/**
 * Pepper `ORDER_COMPLETED` → CRM.COM purchase (README, "Orders").
 *
 * Pepper does not document this action's metadata. The mapper reads the shape our simulator emits,
 * and refuses anything else rather than guess a purchase:
 *
 *   metadata: {
 *     orderId:  string | safe integer      — the order's id; becomes the idempotency key, so it must be stable
 *     total:    number | decimal string    — MAJOR units (12.5 or "12.50"), what the customer paid
 *     currency?: string                    — ISO code; missing means the merchant's CRM.COM currency
 *     items?:   [{ productId, title?, quantity, price }]  — price in MAJOR units, per unit
 *   }
 *   action.userId     — `context.user._id`; the caller resolves it to `ctx.contactId` before calling
 *   action.locationId — `context.location._id`; mapped to a CRM.COM organisation when configured
 *   action.timestamp  — ISO-8601, when the order completed; becomes the purchase date
 *
 * `total` is not checked against the sum of the lines: discounts, tips and service charges can make them
 * differ, and CRM.COM reward offers award on the transaction total.
 */

export interface OrderMappingContext {
  applicationId: string;
  /** `CRMCOM_CURRENCY`; the purchase is sent in it and an order in another currency is refused. */
  currency: string;
  contactId: string;
  /** Pepper location id → CRM.COM organisation id. */
  locationOrganisations: Record<string, string>;
  /**
   * `ORDER_MAX_TOTAL` in minor units: a larger total is refused for review. The units of `total` are a guess (major
   * units); read in the wrong units an order would be bought at a hundred times its value.
   */
  maxTotalMinor?: number;
}

export type OrderMappingResult = { ok: true; purchase: CrmPurchaseWrite } | { ok: false; reason: string };

export const ORDER_COMPLETED = 'ORDER_COMPLETED';
export const MAX_ORDER_ID_LENGTH = 100;
export const MAX_ORDER_LINES = 500;
export const MAX_SKU_LENGTH = 100;
export const MAX_PRODUCT_NAME_LENGTH = 200;
/** Longest piece of upstream text quoted in a reason: a hostile payload must not flood the log or the DB. */
export const MAX_QUOTED_LENGTH = 80;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
// Control characters in an id would end up inside a CRM.COM reference number and in log lines.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** Thrown internally to carry an operator-readable reason to the single catch in mapOrderToPurchase. */
class OrderRejection {
  constructor(readonly reason: string) {}
}

/**
 * Never throws: every way the metadata can be unreadable becomes `{ ok: false, reason }`, because the caller
 * parks the action as a FAILED event with that reason for an operator, and one bad order must not stop the feed.
 */
export function mapOrderToPurchase(action: PepperAction, ctx: OrderMappingContext): OrderMappingResult {
  try {
    return { ok: true, purchase: buildPurchase(action, ctx) };
  } catch (error) {
    if (error instanceof OrderRejection) return { ok: false, reason: error.reason };
    // A bug or an exotic payload (a getter that throws, say) still becomes a parked event, not a crash.
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: `order could not be read: ${cut(message)}` };
  }
}

function buildPurchase(action: PepperAction, ctx: OrderMappingContext): CrmPurchaseWrite {
  if (action.type !== ORDER_COMPLETED) {
    reject(`action type must be ${ORDER_COMPLETED}, got ${quote(action.type)}`);
  }
  const metadata = action.metadata as unknown;
  if (!isRecord(metadata)) reject(`metadata must be an object, got ${describe(metadata)}`);

  const orderId = readOrderId(metadata.orderId);
  const totalMinor = readAmount(metadata.total, 'metadata.total');
  if (ctx.maxTotalMinor !== undefined && totalMinor > ctx.maxTotalMinor) {
    reject(`metadata.total ${totalMinor / 100} is above ORDER_MAX_TOTAL (${ctx.maxTotalMinor / 100}): parked for review (are the amounts in the units assumed?)`);
  }
  readCurrency(metadata.currency, ctx.currency);
  const products = readItems(metadata.items);

  return {
    referenceNumber: formatKey({ kind: 'order', applicationId: ctx.applicationId, orderId }),
    contactId: ctx.contactId,
    organisationId: organisationFor(action.locationId, ctx.locationOrganisations),
    currency: ctx.currency,
    dateEpochSeconds: readDateEpochSeconds(action.timestamp),
    totalMinor,
    netMinor: null,
    taxMinor: null,
    products,
  };
}

/** A number id is accepted only as a safe integer: a larger or fractional one would stringify differently across systems. */
function readOrderId(value: unknown): string {
  let id: string;
  if (typeof value === 'string') {
    id = value.trim();
  } else if (typeof value === 'number' && Number.isSafeInteger(value)) {
    id = String(value);
  } else if (value === undefined || value === null) {
    reject('metadata.orderId is missing');
  } else {
    reject(`metadata.orderId must be a string or a whole number, got ${describe(value)}`);
  }
  if (id === '') reject('metadata.orderId must not be empty');
  if (id.length > MAX_ORDER_ID_LENGTH) {
    reject(`metadata.orderId must be at most ${MAX_ORDER_ID_LENGTH} characters, got ${id.length}: ${quote(id)}`);
  }
  if (CONTROL_CHARACTERS.test(id)) reject(`metadata.orderId must not contain control characters, got ${quote(id)}`);
  return id;
}

/** Amounts go through their decimal text (parseDecimalToMinor), so 19.99 is exactly 1999 and 19.999 is refused, never rounded. */
function readAmount(value: unknown, field: string): number {
  if (value === undefined || value === null) reject(`${field} is missing`);
  let minor: number;
  try {
    minor = parseDecimalToMinor(value);
  } catch (error) {
    if (!(error instanceof InvalidAmountError)) throw error;
    reject(`${field} must be a decimal amount in major units (e.g. 12.50), got ${describe(value)}`);
  }
  if (minor < 0) reject(`${field} must not be negative, got ${describe(value)}`);
  return minor;
}

/**
 * No currency conversion: converted at a rate of our choosing, it would be a guessed purchase. A missing currency is
 * taken to be the merchant's (CRMCOM_CURRENCY), a different one is refused.
 */
function readCurrency(value: unknown, expected: string): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'string' || value.trim() === '') {
    reject(`metadata.currency must be a currency code, got ${describe(value)}`);
  }
  const currency = value.trim().toUpperCase();
  if (currency !== expected.trim().toUpperCase()) {
    reject(`metadata.currency is ${quote(currency)} but CRM.COM is configured for ${quote(expected)}; orders are not converted`);
  }
}

/** Missing items mean an order without product lines: the purchase still counts for its total. */
function readItems(value: unknown): CrmPurchaseProduct[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) reject(`metadata.items must be an array, got ${describe(value)}`);
  if (value.length > MAX_ORDER_LINES) {
    reject(`metadata.items must have at most ${MAX_ORDER_LINES} lines, got ${value.length}`);
  }
  return value.map((item: unknown, index) => readItem(item, `metadata.items[${index}]`));
}

function readItem(item: unknown, at: string): CrmPurchaseProduct {
  if (!isRecord(item)) reject(`${at} must be an object, got ${describe(item)}`);
  const sku = readSku(item.productId, `${at}.productId`);
  const name = readName(item.title, `${at}.title`, sku);
  const quantity = readQuantity(item.quantity, `${at}.quantity`);
  const priceMinor = readAmount(item.price, `${at}.price`);
  // BigInt: a plausible price times a plausible quantity can still pass 2^53, where a double stops being exact.
  const lineTotal = BigInt(priceMinor) * BigInt(quantity);
  if (lineTotal > MAX_SAFE) reject(`${at} total (price × quantity) is too large to send exactly`);
  return { sku, name, quantity, totalMinor: Number(lineTotal) };
}

/** Product ids may be numeric in some POS exports; only safe integers stringify the same everywhere. */
function readSku(value: unknown, field: string): string {
  let sku: string;
  if (typeof value === 'string') {
    sku = value.trim();
  } else if (typeof value === 'number' && Number.isSafeInteger(value)) {
    sku = String(value);
  } else if (value === undefined || value === null) {
    reject(`${field} is missing`);
  } else {
    reject(`${field} must be a string or a whole number, got ${describe(value)}`);
  }
  if (sku === '') reject(`${field} must not be empty`);
  if (sku.length > MAX_SKU_LENGTH) {
    reject(`${field} must be at most ${MAX_SKU_LENGTH} characters, got ${sku.length}: ${quote(sku)}`);
  }
  return sku;
}

/** A name is only a label in CRM.COM: a long one is cut rather than refused, a missing or blank one falls back to the sku. */
function readName(value: unknown, field: string, sku: string): string {
  if (value === undefined || value === null) return sku;
  if (typeof value !== 'string') reject(`${field} must be a string, got ${describe(value)}`);
  const name = cutCodePoints(value.trim(), MAX_PRODUCT_NAME_LENGTH).trim();
  return name === '' ? sku : name;
}

/** Quantities are whole units: a fractional quantity (weighed goods?) is not in the assumed shape, so it is refused. */
function readQuantity(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    reject(`${field} must be a positive whole number, got ${describe(value)}`);
  }
  return value;
}

/** The action timestamp is already normalised to ISO-8601 by the Pepper parser; floor keeps a sub-second order in its second. */
function readDateEpochSeconds(timestamp: string): number {
  const ms = typeof timestamp === 'string' ? Date.parse(timestamp) : Number.NaN;
  if (!Number.isFinite(ms)) reject(`action timestamp must be an ISO-8601 date, got ${describe(timestamp)}`);
  return Math.floor(ms / 1000);
}

/** Own keys only: a location id such as "constructor" must not pick up a property of Object.prototype. */
function organisationFor(locationId: string | null, organisations: Record<string, string>): string | null {
  if (locationId === null || locationId === undefined) return null;
  if (!Object.prototype.hasOwnProperty.call(organisations, locationId)) return null;
  const organisation = organisations[locationId];
  return typeof organisation === 'string' && organisation !== '' ? organisation : null;
}

function reject(reason: string): never {
  throw new OrderRejection(reason);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value as an operator reads it in a reason, never longer than MAX_QUOTED_LENGTH characters of upstream text. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return cut(String(value));
  if (Array.isArray(value)) return `an array`;
  return `(${typeof value})`;
}

function quote(text: string): string {
  return JSON.stringify(cut(text));
}

function cut(text: string): string {
  return text.length > MAX_QUOTED_LENGTH ? `${cutCodePoints(text, MAX_QUOTED_LENGTH)}…` : text;
}

/** Cuts on code points so an emoji or other astral character is never split into a lone surrogate. */
function cutCodePoints(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  for (const ch of text) {
    if (out.length + ch.length > max) break;
    out += ch;
  }
  return out;
}
