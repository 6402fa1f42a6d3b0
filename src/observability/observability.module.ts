import { Global, Module } from '@nestjs/common';
import { PersistenceModule } from '../persistence/persistence.module';
import { UPSTREAM_OBSERVER } from '../upstream/upstream-observer';
import { FeedHealth } from './feed-health';
import { Metrics } from './metrics';

/** Metrics (also the upstream clients' observer) and the feeds' health, for every module. */
@Global()
@Module({
  imports: [PersistenceModule],
  providers: [Metrics, FeedHealth, { provide: UPSTREAM_OBSERVER, useExisting: Metrics }],
  exports: [Metrics, FeedHealth, UPSTREAM_OBSERVER],
})
export class ObservabilityModule {}
