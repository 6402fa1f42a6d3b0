import { Module } from '@nestjs/common';
import { Clock } from '../common/clock';
import { Sleeper } from '../common/sleeper';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { PepperClient } from './pepper.client';

/** APP_CONFIG, Clock and Sleeper come from the app's global providers. */
@Module({
  providers: [
    {
      provide: PepperClient,
      useFactory: (config: AppConfig, clock: Clock, sleeper: Sleeper) => new PepperClient(config, clock, sleeper),
      inject: [APP_CONFIG, Clock, Sleeper],
    },
  ],
  exports: [PepperClient],
})
export class PepperModule {}
