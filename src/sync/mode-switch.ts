import { Inject, Injectable, Logger } from '@nestjs/common';
import { logEvent } from '../common/structured-log';
import { StartupRefusedError } from '../common/startup-refused';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { SyncModeStore } from '../persistence/stores/sync-mode.store';

/**
 * At start-up, before anything runs: the first live start after a shadow rehearsal starts the feeds from now, as a
 * first start (nothing shadowed is replayed); shadow mode on a database that has run live is refused, because the
 * reset back to live would forget writes that were really made.
 */
@Injectable()
export class ModeSwitch {
  private readonly logger = new Logger('ModeSwitch');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly modes: SyncModeStore,
  ) {}

  async apply(): Promise<void> {
    const wanted = this.config.syncMode;
    const stored = await this.modes.stored();
    if (stored === wanted) return;
    if (stored === 'live' && wanted === 'shadow') {
      throw new StartupRefusedError(
        'SYNC_MODE=shadow: this database has already run live. Shadow mode is the rehearsal before go-live; to rehearse again, ' +
          'start a shadow instance on a new DATABASE_PATH (or DATABASE_URL) with the same credentials.',
      );
    }
    if (stored === 'shadow' && wanted === 'live') {
      await this.modes.resetAfterRehearsal();
      logEvent(this.logger, 'shadow_to_live', { note: 'the shadow run is over: links and feeds start now, as on a first start; the shadow writes stay listed' }, 'warn');
    }
    await this.modes.remember(wanted);
  }
}
