import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { WriteInDoubtError } from '../common/deferred-error';
import { SHADOW_WRITE, SyncMode } from './sync-mode';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { OutboundWriteEntity } from '../persistence/entities';
import { NewWriteAttempt, WriteLog } from '../persistence/stores/write-log.store';
import { dispositionOf } from '../upstream/error-disposition';
import { UpstreamError } from '../upstream/upstream-error';

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

/** A read-back that cannot tell whether the write happened: only an operator can settle it. */
export class WriteUnprovableError extends Error {
  constructor(readonly attemptId: number, cause: string) {
    super(`write #${attemptId} is in doubt and the read-back cannot tell whether it happened (${cause}); settle it with POST /admin/writes/${attemptId}/settle`);
    this.name = 'WriteUnprovableError';
  }
}

/**
 * The write protocol (README, "Writes are idempotent"): every attempt is stored before it is sent; an attempt
 * whose outcome is unknown (timeout, 5xx, crash) is settled by reading back before anything is sent again. A
 * read-back may prove presence at any time, but absence only once WRITE_SETTLE_SECONDS have passed since the
 * attempt was sent: a POST still being processed upstream is not visible yet. Until then the write is in doubt.
 */
@Injectable()
export class WriteProtocol {
  private readonly settleMs: number;

  constructor(
    private readonly writeLog: WriteLog,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'writeSettleSeconds'>,
    private readonly mode: SyncMode,
  ) {
    this.settleMs = config.writeSettleSeconds * 1000;
  }

  /** The upstream id of the write; null only for a write settled as done without one (by an operator). */
  async write(write: LoggedWrite): Promise<string | null> {
    const { send, readBack, meansAlreadyExists, ...attemptFields } = write;
    if (this.mode.isShadow()) {
      // Rehearsal: recorded once per key, never sent.
      if (!(await this.writeLog.hasShadow(write.idempotencyKey))) await this.writeLog.recordShadow(attemptFields);
      return SHADOW_WRITE;
    }
    const attempts = await this.writeLog.attemptsFor(write.idempotencyKey);
    // Done before (the process may have stopped before its event was marked done, or an operator settled it): never again.
    const done = attempts.find((a) => a.state === 'DONE');
    if (done) return done.upstreamId ?? this.learnUpstreamId(done, readBack);
    for (const prior of attempts.filter((a) => a.state === 'PENDING' || a.state === 'UNKNOWN')) {
      const found = await this.readBackOrKeepInDoubt(prior, readBack);
      if (found) return found;
      if (prior.state === 'PENDING') await this.writeLog.unknown(prior, 'the process stopped before the answer came');
      const doubt = prior.error ?? 'the process stopped before the answer came';
      await this.failOnceSettled(prior, `absent on read-back after: ${doubt}`, doubt);
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
      const found = await this.readBackOrKeepInDoubt(attempt, readBack);
      if (found) return found;
      await this.failOnceSettled(attempt, `absent on read-back after: ${messageOf(error)}`, messageOf(error));
      throw error;
    }
  }

  /** Whether a write with this key was ever attempted (its outcome may still be in doubt). */
  async attempted(idempotencyKey: string): Promise<boolean> {
    return (await this.writeLog.attemptsFor(idempotencyKey)).length > 0;
  }

  /** The upstream result, recorded as DONE; null when provably absent (so far). Keeps the attempt in doubt otherwise. */
  private async readBackOrKeepInDoubt(attempt: OutboundWriteEntity, readBack: () => Promise<string | null>): Promise<string | null> {
    let found: string | null;
    try {
      found = await readBack();
    } catch (error) {
      await this.writeLog.unknown(attempt, `read-back cannot tell: ${messageOf(error)}`);
      // A passing failure (timeout, 5xx) is retried as usual; one that will not go away needs an operator.
      if (dispositionOf(error) !== 'PARK') throw error;
      throw new WriteUnprovableError(attempt.id, messageOf(error));
    }
    if (found) await this.writeLog.done(attempt, found, { settledBy: 'read-back' });
    return found;
  }

  /** Absent on read-back: proof only once the settle delay has passed; until then the write stays in doubt. */
  private async failOnceSettled(attempt: OutboundWriteEntity, reason: string, doubt: string): Promise<void> {
    const settleAt = new Date(new Date(attempt.sentAt).getTime() + this.settleMs);
    if (this.clock.nowMs() < settleAt.getTime()) throw new WriteInDoubtError(attempt.id, settleAt, doubt);
    await this.writeLog.failed(attempt, reason);
  }

  private async learnUpstreamId(done: OutboundWriteEntity, readBack: () => Promise<string | null>): Promise<string | null> {
    const found = await readBack().catch(() => null);
    if (found) await this.writeLog.done(done, found, { settledBy: 'read-back' });
    return found;
  }
}
