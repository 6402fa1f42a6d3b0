import { Injectable } from '@nestjs/common';
import { UpstreamError } from '../upstream/upstream-error';
import { NewWriteAttempt, WriteLog } from '../persistence/stores/write-log.store';

export interface LoggedWrite extends NewWriteAttempt {
  /** sends the write; resolves to the id the upstream gave back */
  send: () => Promise<string>;
  /** finds the write's result upstream, or null when it provably is not there; throws when it cannot tell */
  readBack: () => Promise<string | null>;
  /** an upstream refusal that means "it already exists" (settled by reading back, not as a failure) */
  meansAlreadyExists?: (error: unknown) => boolean;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The write protocol of design §6: every attempt is stored before it is sent; an attempt whose outcome is
 * unknown (timeout, 5xx, crash) is settled by reading back before anything is sent again.
 */
@Injectable()
export class WriteProtocol {
  constructor(private readonly writeLog: WriteLog) {}

  async write(write: LoggedWrite): Promise<string> {
    const { send, readBack, meansAlreadyExists, ...attemptFields } = write;
    // Done before (the process may have stopped before its event was marked done): never again.
    const done = (await this.writeLog.attemptsFor(write.idempotencyKey)).find((a) => a.state === 'DONE' && a.upstreamId);
    if (done) return done.upstreamId as string;
    for (const prior of await this.writeLog.unsettled(write.idempotencyKey)) {
      const found = await readBack();
      if (found) {
        await this.writeLog.done(prior, found, { settledBy: 'read-back' });
        return found;
      }
      await this.writeLog.failed(prior, 'absent on read-back');
    }

    const attempt = await this.writeLog.begin(attemptFields);
    try {
      const id = await send();
      await this.writeLog.done(attempt, id);
      return id;
    } catch (error) {
      const unknownOutcome = error instanceof UpstreamError && error.outcomeUnknown;
      if (!unknownOutcome && !meansAlreadyExists?.(error)) {
        await this.writeLog.failed(attempt, messageOf(error));
        throw error;
      }
      await this.writeLog.unknown(attempt, messageOf(error));
      const found = await readBack();
      if (found) {
        await this.writeLog.done(attempt, found, { settledBy: 'read-back' });
        return found;
      }
      await this.writeLog.failed(attempt, `absent on read-back after: ${messageOf(error)}`);
      throw error;
    }
  }
}
