import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A Pepper menu product as last written to CRM.COM: the content hash decides whether it needs writing again. */
@Entity('product_sync')
export class ProductSyncEntity {
  /** the Pepper product id: the `sku` order lines carry, CRM.COM's `code` (legacy) / `sku` (v5) */
  @PrimaryColumn({ type: 'varchar' })
  productId: string;

  @Column({ type: 'varchar' })
  name: string;

  /** hash of what was last written (including whether the validity was ended) */
  @Column({ type: 'varchar' })
  hash: string;

  /** v5: the CRM.COM product id */
  @Column({ type: 'varchar', nullable: true })
  crmProductId: string | null;

  /** set when the product left every menu and its validity was ended in CRM.COM */
  @Column({ type: 'datetime', nullable: true })
  endedAt: Date | null;

  @Column({ type: 'datetime' })
  syncedAt: Date;
}
