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
import { Clock } from './common/clock';
import { Sleeper } from './common/sleeper';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { LeaseLostHandler } from './common/lease-lost';
import type { DataSourceOptions } from 'typeorm';
import { buildDataSourceOptions, openDataSource } from './persistence/data-source-options';

export interface AppOverrides {
  clock?: Clock;
  sleeper?: Sleeper;
  onLeaseLost?: LeaseLostHandler;
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, overrides: AppOverrides = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config, overrides),
        TypeOrmModule.forRootAsync({
          useFactory: () => buildDataSourceOptions(config),
          dataSourceFactory: (options) => openDataSource(options as DataSourceOptions),
        }),
        ScheduleModule.forRoot(),
        EventEmitterModule.forRoot(),
        CoreModule,
        LedgerModule,
        CustomersModule,
        LoyaltyModule,
        SyncModule,
        AdminModule,
      ],
    };
  }
}
