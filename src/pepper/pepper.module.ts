import { Module } from '@nestjs/common';
import { Clock } from '../common/clock';
import { Sleeper } from '../common/sleeper';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { UPSTREAM_OBSERVER } from '../upstream/upstream-observer';
import type { UpstreamObserver } from '../upstream/retrying-http';
import { PepperClient } from './pepper.client';

/** APP_CONFIG, Clock and Sleeper come from the app's global providers. */
@Module({
  providers: [
    {
      provide: PepperClient,
      useFactory: (config: AppConfig, clock: Clock, sleeper: Sleeper, observer?: UpstreamObserver) =>
        new PepperClient(config, clock, sleeper, Math.random, observer ?? null),
      inject: [APP_CONFIG, Clock, Sleeper, { token: UPSTREAM_OBSERVER, optional: true }],
    },
  ],
  exports: [PepperClient],
})
export class PepperModule {}
