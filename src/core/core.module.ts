import { Module } from '@nestjs/common';
import { PersistenceModule } from '../persistence/persistence.module';
import { EventParking } from './event-parking';
import { JobRunner } from './job-runner';

/** The engine every flow runs on: recorded job runs that never overlap, and parking of what cannot be processed. */
@Module({
  imports: [PersistenceModule],
  providers: [JobRunner, EventParking],
  exports: [JobRunner, EventParking],
})
export class CoreModule {}
