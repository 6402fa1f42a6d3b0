import { DynamicModule, Global, Module } from '@nestjs/common';
import { Clock } from '../common/clock';
import { exitOnLeaseLost, LEASE_LOST, LeaseLostHandler } from '../common/lease-lost';
import { Sleeper } from '../common/sleeper';
import { APP_CONFIG, AppConfig } from './app-config';

/** Makes the validated config, the clock, the sleeper and what to do when the writer lease is lost available everywhere. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig, overrides: { clock?: Clock; sleeper?: Sleeper; onLeaseLost?: LeaseLostHandler } = {}): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: Clock, useValue: overrides.clock ?? new Clock() },
        { provide: Sleeper, useValue: overrides.sleeper ?? new Sleeper() },
        { provide: LEASE_LOST, useValue: overrides.onLeaseLost ?? exitOnLeaseLost },
      ],
      exports: [APP_CONFIG, Clock, Sleeper, LEASE_LOST],
    };
  }
}
