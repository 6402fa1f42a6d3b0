import { ConflictEntity } from './conflict.entity';
import { InboundEventEntity } from './inbound-event.entity';
import { OutboundWriteEntity } from './outbound-write.entity';
import { SyncRunEntity } from './sync-run.entity';
import { SyncStateEntity } from './sync-state.entity';
import { UserLinkEntity } from './user-link.entity';

export * from './conflict.entity';
export * from './inbound-event.entity';
export * from './outbound-write.entity';
export * from './sync-run.entity';
export * from './sync-state.entity';
export * from './user-link.entity';

export const ENTITIES = [
  UserLinkEntity,
  ConflictEntity,
  SyncStateEntity,
  InboundEventEntity,
  OutboundWriteEntity,
  SyncRunEntity,
];
