import { Module } from '@nestjs/common';
import { Clock } from '../common/clock';
import { Sleeper } from '../common/sleeper';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { CrmComClient } from './crmcom.client';

/** APP_CONFIG, Clock and Sleeper come from the app's global providers. */
@Module({
  providers: [
    {
      provide: CrmComClient,
      useFactory: (config: AppConfig, clock: Clock, sleeper: Sleeper) => new CrmComClient(config, clock, sleeper),
      inject: [APP_CONFIG, Clock, Sleeper],
    },
  ],
  exports: [CrmComClient],
})
export class CrmComModule {}
