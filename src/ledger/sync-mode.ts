import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';

/** The value the write protocol returns for a write recorded in shadow mode instead of sent. */
export const SHADOW_WRITE = 'shadow';

/**
 * SYNC_MODE: `live`, or `shadow` — the go-live rehearsal. In shadow mode the connector reads both sides and decides
 * everything as in live, but every write it would make upstream is recorded (outbound_write state SHADOW) instead of
 * sent; nothing is created, linked upstream or moved. The checks live where writes are made: the write protocol, the
 * Pepper award writer and the profile updater.
 */
@Injectable()
export class SyncMode {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  isShadow(): boolean {
    return this.config.syncMode === 'shadow';
  }
}
