import { DynamicModule, Global, Module } from '@nestjs/common';
import { Clock } from '../common/clock';
import { Sleeper } from '../common/sleeper';
import { APP_CONFIG, AppConfig } from './app-config';

/** Makes the validated config, the clock and the sleeper available everywhere. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig, overrides: { clock?: Clock; sleeper?: Sleeper } = {}): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: Clock, useValue: overrides.clock ?? new Clock() },
        { provide: Sleeper, useValue: overrides.sleeper ?? new Sleeper() },
      ],
      exports: [APP_CONFIG, Clock, Sleeper],
    };
  }
}
