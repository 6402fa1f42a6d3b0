import { Module } from '@nestjs/common';
import { CrmComModule } from '../crmcom/crmcom.module';
import { PepperModule } from '../pepper/pepper.module';
import { PersistenceModule } from '../persistence/persistence.module';
import { ProductSync } from './product-sync';

/** Pepper menus → CRM.COM products, so reward offers can see what was bought. */
@Module({
  imports: [PersistenceModule, PepperModule, CrmComModule],
  providers: [ProductSync],
  exports: [ProductSync],
})
export class ProductsModule {}
