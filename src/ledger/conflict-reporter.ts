import { Injectable, Logger } from '@nestjs/common';
import { logEvent } from '../common/structured-log';
import type { ConflictEntity } from '../persistence/entities';
import { ConflictStore, NewConflict } from '../persistence/stores/conflict.store';

/**
 * Opens (or refreshes) a conflict and writes the one structured log line an operator searches for
 * (`"event":"conflict"`), so every flow reports conflicts the same way.
 */
@Injectable()
export class ConflictReporter {
  private readonly logger = new Logger('Conflicts');

  constructor(private readonly conflicts: ConflictStore) {}

  async report(input: NewConflict): Promise<ConflictEntity> {
    const { conflict, isNew } = await this.conflicts.openOrRefresh(input);
    logEvent(
      this.logger,
      'conflict',
      {
        conflictId: conflict.id,
        kind: input.kind,
        pepperUserId: input.pepperUserId,
        candidateContactIds: input.candidateContactIds,
        ...input.details,
        refreshed: !isNew,
      },
      'warn',
    );
    return conflict;
  }
}
