import { AuditEntryEntity } from './audit-entry.entity';
import { AwardMirrorEntity } from './award-mirror.entity';
import { ConflictEntity } from './conflict.entity';
import { PerkEntity } from './perk.entity';
import { SettingsPinEntity } from './settings-pin.entity';
import { InboundEventEntity } from './inbound-event.entity';
import { LeaseEntity } from './lease.entity';
import { OutboundWriteEntity } from './outbound-write.entity';
import { SyncRunEntity } from './sync-run.entity';
import { SyncStateEntity } from './sync-state.entity';
import { UserLinkEntity } from './user-link.entity';
import { SegmentMirrorEntity } from './segment-mirror.entity';
import { NotificationEntity } from './notification.entity';
import { ProductSyncEntity } from './product-sync.entity';
import { AlertEntity } from './alert.entity';
import { ContactIndexEntity } from './contact-index.entity';

export * from './audit-entry.entity';
export * from './award-mirror.entity';
export * from './conflict.entity';
export * from './perk.entity';
export * from './settings-pin.entity';
export * from './inbound-event.entity';
export * from './lease.entity';
export * from './outbound-write.entity';
export * from './sync-run.entity';
export * from './sync-state.entity';
export * from './user-link.entity';
export * from './segment-mirror.entity';
export * from './notification.entity';
export * from './product-sync.entity';
export * from './alert.entity';
export * from './contact-index.entity';

export const ENTITIES = [
  UserLinkEntity,
  ConflictEntity,
  SyncStateEntity,
  InboundEventEntity,
  OutboundWriteEntity,
  SyncRunEntity,
  PerkEntity,
  AwardMirrorEntity,
  SettingsPinEntity,
  LeaseEntity,
  AuditEntryEntity,
  SegmentMirrorEntity,
  NotificationEntity,
  ProductSyncEntity,
  AlertEntity,
  ContactIndexEntity,
];
