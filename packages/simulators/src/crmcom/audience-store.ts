import { CrmError, invalidValue, notFound } from './crmcom-errors';

/** Legacy `products/synchronise` takes at most this many products per call (seed 004). */
export const LEGACY_SYNC_MAX_PRODUCTS = 1000;

export interface ProductRecord {
  id: string;
  /** legacy `code` = v5 `sku` */
  sku: string;
  name: string;
  category: string | null;
  price: string | null;
  /** epoch seconds; null while valid */
  validTo: number | null;
  createdDate: number;
  sequence: number;
  /** how many writes (create, update, synchronise entry) touched it */
  writes: number;
}

export interface NamedGroup {
  id: string;
  name: string;
}

/**
 * Audiences (contact segments, reward tiers, tags) and products, the parts of CRM.COM design §9 infers. Membership is
 * held here by contact id; the contacts themselves live in the main store.
 */
export class CrmAudienceStore {
  readonly segments = new Map<string, NamedGroup & { contactIds: string[] }>();
  readonly tiers = new Map<string, NamedGroup>();
  readonly tags = new Map<string, NamedGroup>();
  /** contact id → tier id */
  readonly tierOf = new Map<string, string>();
  /** contact id → tag ids */
  readonly tagsOf = new Map<string, Set<string>>();
  readonly products = new Map<string, ProductRecord>();
  /** sizes of each products/synchronise call, for tests */
  readonly synchroniseCalls: number[] = [];
  private sequence = 0;

  constructor(private readonly nowSeconds: () => number) {}

  reset(): void {
    this.segments.clear();
    this.tiers.clear();
    this.tags.clear();
    this.tierOf.clear();
    this.tagsOf.clear();
    this.products.clear();
    this.synchroniseCalls.length = 0;
    this.sequence = 0;
  }

  productBySku(sku: string): ProductRecord | undefined {
    for (const product of this.products.values()) if (product.sku === sku) return product;
    return undefined;
  }

  upsertProduct(input: { sku: string; name: string; category: string | null; price: string | null; validTo: number | null }): ProductRecord {
    const existing = this.productBySku(input.sku);
    if (existing) {
      Object.assign(existing, input, { writes: existing.writes + 1 });
      return existing;
    }
    this.sequence += 1;
    const product: ProductRecord = { id: `prod-${String(this.sequence).padStart(6, '0')}`, ...input, createdDate: this.nowSeconds(), sequence: this.sequence, writes: 1 };
    this.products.set(product.id, product);
    return product;
  }

  requireProduct(id: string): ProductRecord {
    const product = this.products.get(id);
    if (!product) throw notFound(`Product ${id}`);
    return product;
  }

  /** A legacy synchronise: validates the whole set first, then upserts by code. */
  synchronise(set: unknown): Array<{ code: string; id: string }> {
    if (!Array.isArray(set) || set.length === 0) throw invalidValue('products_set', 'products_set must be a non-empty array');
    if (set.length > LEGACY_SYNC_MAX_PRODUCTS) {
      throw new CrmError(400, 'CRM.EXCEPTIONS.MAXIMUMPRODUCTSEXCEEDEDEXCEPTION', `at most ${LEGACY_SYNC_MAX_PRODUCTS} products per call`, ['products_set']);
    }
    const entries = set.map((raw, i) => {
      const p = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
      if (typeof p.code !== 'string' || p.code === '') throw invalidValue(`products_set[${i}].code`, 'code is mandatory');
      const validTo = p.product_validity_to;
      if (validTo !== undefined && typeof validTo !== 'number') throw invalidValue(`products_set[${i}].product_validity_to`, 'must be epoch seconds');
      return {
        sku: p.code,
        name: typeof p.description === 'string' ? p.description : p.code,
        category: typeof p.category === 'string' ? p.category : null,
        price: typeof p.udf_price === 'string' ? p.udf_price : null,
        validTo: typeof validTo === 'number' ? validTo : null,
      };
    });
    this.synchroniseCalls.push(entries.length);
    return entries.map((entry) => {
      const product = this.upsertProduct(entry);
      return { code: product.sku, id: product.id };
    });
  }
}
