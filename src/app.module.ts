import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AdminModule } from './admin/admin.module';
import { CoreModule } from './core/core.module';
import { CustomersModule } from './customers/customers.module';
import { LedgerModule } from './ledger/ledger.module';
import { LoyaltyModule } from './loyalty/loyalty.module';
import { SyncModule } from './sync/sync.module';
import { AudiencesModule } from './audiences/audiences.module';
import { NotificationsModule } from './notifications/notifications.module';
import { ProductsModule } from './products/products.module';
import { Clock } from './common/clock';
import { Sleeper } from './common/sleeper';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { LeaseLostHandler } from './common/lease-lost';
import type { DataSourceOptions } from 'typeorm';
import { buildDataSourceOptions, openDataSource } from './persistence/data-source-options';
import type pino from 'pino';
import { LoggingModule } from './observability/logging/logging.module';
import { ObservabilityModule } from './observability/observability.module';
import { OperationsModule } from './operations/operations.module';

export interface AppOverrides {
  clock?: Clock;
  sleeper?: Sleeper;
  onLeaseLost?: LeaseLostHandler;
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, overrides: AppOverrides = {}, logger?: pino.Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config, overrides),
        ...(logger ? [LoggingModule.forRoot(logger)] : []),
        TypeOrmModule.forRootAsync({
          useFactory: () => buildDataSourceOptions(config),
          dataSourceFactory: (options) => openDataSource(options as DataSourceOptions),
        }),
        ScheduleModule.forRoot(),
        EventEmitterModule.forRoot(),
        ObservabilityModule,
        CoreModule,
        LedgerModule,
        CustomersModule,
        LoyaltyModule,
        AudiencesModule,
        NotificationsModule,
        ProductsModule,
        SyncModule,
        OperationsModule,
        AdminModule,
      ],
    };
  }
}
