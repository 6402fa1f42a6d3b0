import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { logEvent } from '../common/structured-log';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { RunContext } from '../core/job-runner';
import { CrmComClient } from '../crmcom/crmcom.client';
import { CrmProductWrite, LEGACY_SYNC_MAX_PRODUCTS } from '../crmcom/crmcom-audience.wire';
import { PepperClient } from '../pepper/pepper.client';
import type { PepperMenuProduct } from '../pepper/pepper-audience.types';
import type { ProductSyncEntity } from '../persistence/entities';
import { ProductSyncStore } from '../persistence/stores/product-sync.store';

interface PendingWrite {
  product: CrmProductWrite;
  row: ProductSyncEntity;
}

/** The content that decides whether a product needs writing again (the end date itself does not). */
export function productHash(p: CrmProductWrite): string {
  const content = { sku: p.sku, name: p.name, category: p.category, price: p.price, ended: p.validTo !== null };
  return createHash('sha256').update(JSON.stringify(content)).digest('hex');
}

/**
 * Pepper menus → CRM.COM products (design §9): the menus of PRODUCT_LOCATIONS, deduplicated by product id, upserted
 * keyed by that id (the `sku` order lines carry). An unchanged product (same content hash) costs no call; a product
 * gone from every menu is never deleted, its validity is ended. Writes are upserts, so a retried run repeats them.
 */
@Injectable()
export class ProductSync {
  private readonly logger = new Logger('ProductSync');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly pepper: PepperClient,
    private readonly crm: CrmComClient,
    private readonly store: ProductSyncStore,
    private readonly clock: Clock,
  ) {}

  get enabled(): boolean {
    return this.config.products.locations.length > 0;
  }

  async run(ctx: RunContext): Promise<void> {
    if (!this.enabled) {
      ctx.add('off');
      return;
    }
    // Every menu must be read: ending products on a partial picture would end ones that are still sold.
    const onMenus = new Map<string, PepperMenuProduct>();
    for (const location of this.config.products.locations) {
      const products = await this.pepper.getMenu(location);
      ctx.add('menuItems', products.length);
      for (const product of products) if (!onMenus.has(product.id)) onMenus.set(product.id, product);
    }
    ctx.add('products', onMenus.size);
    const stored = await this.store.all();
    if (onMenus.size === 0 && [...stored.values()].some((row) => row.endedAt === null)) {
      throw new Error('every configured menu answered without products; nothing was ended (check PRODUCT_LOCATIONS and the menu host)');
    }

    const now = this.clock.now();
    const pending: PendingWrite[] = [];
    for (const item of onMenus.values()) {
      const product: CrmProductWrite = { sku: item.id, name: item.title, category: item.categoryTitle, price: item.price, validTo: null };
      this.queue(pending, stored.get(item.id), product, null, now, ctx);
    }
    for (const row of stored.values()) {
      if (onMenus.has(row.productId) || row.endedAt !== null) continue;
      const product: CrmProductWrite = { sku: row.productId, name: row.name, category: null, price: null, validTo: Math.floor(now.getTime() / 1000) };
      this.queue(pending, row, product, now, now, ctx);
      ctx.add('ended');
    }

    if (this.config.products.api === 'legacy') await this.writeLegacy(pending, ctx);
    else await this.writeV5(pending, ctx);
    logEvent(this.logger, 'products_synchronised', { mode: this.config.products.api, ...ctx.counts });
  }

  private queue(
    pending: PendingWrite[],
    previous: ProductSyncEntity | undefined,
    product: CrmProductWrite,
    endedAt: Date | null,
    now: Date,
    ctx: RunContext,
  ): void {
    const hash = productHash(product);
    if (previous?.hash === hash) {
      ctx.add('unchanged');
      return;
    }
    pending.push({
      product,
      row: { productId: product.sku, name: product.name, hash, crmProductId: previous?.crmProductId ?? null, endedAt, syncedAt: now },
    });
  }

  private async writeLegacy(pending: PendingWrite[], ctx: RunContext): Promise<void> {
    for (let i = 0; i < pending.length; i += LEGACY_SYNC_MAX_PRODUCTS) {
      if (ctx.stopping) return;
      const batch = pending.slice(i, i + LEGACY_SYNC_MAX_PRODUCTS);
      await this.crm.synchroniseProducts(batch.map((p) => p.product));
      await this.store.saveMany(batch.map((p) => p.row));
      ctx.add('calls');
      ctx.add('written', batch.length);
    }
  }

  private async writeV5(pending: PendingWrite[], ctx: RunContext): Promise<void> {
    for (const { product, row } of pending) {
      if (ctx.stopping) return;
      // A create whose answer was lost is found again by sku here, so it is never made twice.
      const crmId = row.crmProductId ?? (await this.crm.findProductBySku(product.sku));
      if (crmId === null) {
        row.crmProductId = await this.crm.createProduct(product);
        ctx.add('created');
      } else {
        await this.crm.updateProduct(crmId, product);
        row.crmProductId = crmId;
        ctx.add('updated');
      }
      await this.store.saveMany([row]);
      ctx.add('written');
    }
  }
}
