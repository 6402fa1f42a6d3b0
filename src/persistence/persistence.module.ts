import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ENTITIES } from './entities';
import { LeaseModule } from './lease/lease.module';
import { ConflictStore } from './stores/conflict.store';
import { EventStore } from './stores/event.store';
import { EventRequeueStore } from './stores/event-requeue.store';
import { LinkStore } from './stores/link.store';
import { RunStore } from './stores/run.store';
import { SyncStateStore } from './stores/sync-state.store';
import { WriteLog } from './stores/write-log.store';
import { AwardMirrorStore } from './stores/award-mirror.store';
import { PerkStore } from './stores/perk.store';
import { SettingsPinStore } from './stores/settings-pin.store';
import { SyncModeStore } from './stores/sync-mode.store';
import { SegmentMirrorStore } from './stores/segment-mirror.store';
import { NotificationStore } from './stores/notification.store';
import { ProductSyncStore } from './stores/product-sync.store';
import { ContactIndexStore } from './stores/contact-index.store';
import { AdvisoryLocks } from './coordination/advisory-locks';
import { JobLeases } from './coordination/job-leases';

const STORES = [
  LinkStore,
  ConflictStore,
  EventStore,
  WriteLog,
  SyncStateStore,
  RunStore,
  PerkStore,
  AwardMirrorStore,
  SettingsPinStore,
  EventRequeueStore,
  SyncModeStore,
  ContactIndexStore,
];
const AUDIENCE_STORES = [SegmentMirrorStore, NotificationStore, ProductSyncStore];

/** Stores over the entities; the DataSource itself is configured by the app root (TypeOrmModule.forRootAsync). */
@Module({
  imports: [TypeOrmModule.forFeature(ENTITIES), LeaseModule],
  providers: [...STORES, ...AUDIENCE_STORES, JobLeases, AdvisoryLocks],
  exports: [...STORES, ...AUDIENCE_STORES, JobLeases, AdvisoryLocks, LeaseModule],
})
export class PersistenceModule {}
