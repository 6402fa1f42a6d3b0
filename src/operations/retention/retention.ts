import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, LessThan, Not } from 'typeorm';
import { Clock } from '../../common/clock';
import { logEvent } from '../../common/structured-log';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { AlertEntity, InboundEventEntity, SyncRunEntity } from '../../persistence/entities';

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;
/** rows per DELETE: short transactions, so the jobs writing beside it never wait long */
export const RETENTION_BATCH = 500;
/** never pruned whatever its age: a user's opening balance is the base of their wallet history */
const KEPT_TYPES = ['OPENING_BALANCE'];

export interface PruneCounts {
  events: number;
  runs: number;
  alerts: number;
}

/**
 * Daily pruning, in small batches: settled inbound events (DONE / SKIPPED) that occurred and settled before the longest
 * sweep window plus RETENTION_DAYS (a sweep can no longer re-read them, so the dedupe no longer needs them); runs
 * started more than RETENTION_DAYS ago (the last run of each job stays: /admin/status shows it); delivered alerts older
 * than RETENTION_DAYS. Never the write ledger (outbound_write: the running totals and the idempotency keys come from it),
 * never an event still waiting, queued or parked, never an opening balance.
 */
@Injectable()
export class Retention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Retention');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<PruneCounts> | null = null;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.schedulerEnabled) return;
    this.timer = setInterval(() => void this.pruneNow().catch((e: unknown) => this.logger.error(`retention failed: ${(e as Error).message}`)), DAY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Settled events that occurred (and settled) before this are pruned. */
  eventCutoff(): Date {
    const sweepHours = Math.max(this.config.pepper.sweepHours, this.config.crmcom.sweepHours);
    return new Date(this.clock.nowMs() - sweepHours * HOUR_MS - this.config.ops.retentionDays * DAY_MS);
  }

  runCutoff(): Date {
    return new Date(this.clock.nowMs() - this.config.ops.retentionDays * DAY_MS);
  }

  /** One pruning pass now (the daily schedule calls it; so can a test). A second call while one runs joins it. */
  pruneNow(): Promise<PruneCounts> {
    this.running ??= this.prune().finally(() => (this.running = null));
    return this.running;
  }

  private async prune(): Promise<PruneCounts> {
    const started = Date.now();
    const counts: PruneCounts = { events: await this.pruneEvents(), runs: await this.pruneRuns(), alerts: await this.pruneAlerts() };
    logEvent(this.logger, 'retention_pruned', { ...counts, eventCutoff: this.eventCutoff().toISOString(), runCutoff: this.runCutoff().toISOString(), durationMs: Date.now() - started });
    return counts;
  }

  private async pruneEvents(): Promise<number> {
    const repo = this.dataSource.getRepository(InboundEventEntity);
    const cutoff = this.eventCutoff();
    return this.inBatches(async () => {
      const rows = await repo.find({
        select: { id: true },
        where: { state: In(['DONE', 'SKIPPED']), occurredAt: LessThan(cutoff.toISOString()), updatedAt: LessThan(cutoff), type: Not(In(KEPT_TYPES)) },
        order: { id: 'ASC' },
        take: RETENTION_BATCH,
      });
      if (rows.length > 0) await repo.delete({ id: In(rows.map((r) => r.id)), state: In(['DONE', 'SKIPPED']) });
      return rows.length;
    });
  }

  private async pruneRuns(): Promise<number> {
    const repo = this.dataSource.getRepository(SyncRunEntity);
    const cutoff = this.runCutoff();
    const jobs = (await repo.createQueryBuilder('r').select('DISTINCT r.job', 'job').getRawMany<{ job: SyncRunEntity['job'] }>()).map((r) => r.job);
    const keep: string[] = [];
    for (const job of jobs) {
      const last = await repo.findOne({ select: { runId: true }, where: { job }, order: { startedAt: 'DESC' } });
      if (last) keep.push(last.runId);
    }
    return this.inBatches(async () => {
      const rows = await repo.find({
        select: { runId: true },
        where: { startedAt: LessThan(cutoff), state: Not('RUNNING'), runId: Not(In(keep)) },
        take: RETENTION_BATCH,
      });
      if (rows.length > 0) await repo.delete({ runId: In(rows.map((r) => r.runId)) });
      return rows.length;
    });
  }

  private async pruneAlerts(): Promise<number> {
    const repo = this.dataSource.getRepository(AlertEntity);
    const cutoff = this.runCutoff();
    return this.inBatches(async () => {
      const rows = await repo.find({
        select: { id: true },
        where: { state: In(['SENT', 'FAILED', 'LOCAL']), lastSeenAt: LessThan(cutoff) },
        order: { id: 'ASC' },
        take: RETENTION_BATCH,
      });
      if (rows.length > 0) await repo.delete({ id: In(rows.map((r) => r.id)) });
      return rows.length;
    });
  }

  /** Runs `batch` until it removes nothing (or shutdown), yielding between batches. */
  private async inBatches(batch: () => Promise<number>): Promise<number> {
    let total = 0;
    while (!this.stopped) {
      const removed = await batch();
      total += removed;
      if (removed < RETENTION_BATCH) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    return total;
  }
}
