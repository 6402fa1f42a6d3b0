import { Inject, Injectable, Logger, OnApplicationShutdown, Optional } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { JobLeases } from '../persistence/coordination/job-leases';
import { Instance } from '../persistence/coordination/instance';
import { logEvent } from '../common/structured-log';
import { dispositionOf } from '../upstream/error-disposition';
import type { JobName, RunTrigger } from '../persistence/entities';
import { RunStore } from '../persistence/stores/run.store';

export class JobAlreadyRunningError extends Error {
  constructor(readonly job: JobName, readonly runId: string, elsewhere: string | null = null) {
    super(elsewhere ? `${job} is already running on instance ${elsewhere}` : `${job} is already running (run ${runId})`);
  }
}

/** What a job sees of its run: counters it bumps, and whether shutdown asked it to stop. */
export class RunContext {
  readonly counts: Record<string, number> = {};
  constructor(
    readonly runId: string,
    readonly trigger: RunTrigger,
    private readonly stopRequested: () => boolean,
  ) {}
  add(counter: string, by = 1): void {
    this.counts[counter] = (this.counts[counter] ?? 0) + by;
  }
  get stopping(): boolean {
    return this.stopRequested();
  }
}

export interface StartedRun {
  runId: string;
  /** settles when the run has finished and its end is recorded */
  done: Promise<void>;
}

const SHUTDOWN_GRACE_MS = 20_000;
/** Jobs whose length grows with the merchant (every user, every old action): no watchdog; they stop only on shutdown. */
const LONG_JOBS: ReadonlySet<JobName> = new Set<JobName>(['users-seed', 'actions-backfill', 'reconcile']);

interface Lease {
  token: number;
  lost: boolean;
  timer: NodeJS.Timeout | null;
}

/**
 * Runs jobs as recorded sync runs. A job never overlaps itself; on shutdown running jobs are asked to stop
 * at their next safe point and are given a grace period to finish their batch.
 */
@Injectable()
export class JobRunner implements OnApplicationShutdown {
  private readonly logger = new Logger('JobRunner');
  private readonly running = new Map<JobName, StartedRun>();
  private stopping = false;

  constructor(
    private readonly runs: RunStore,
    @Optional() private readonly leases?: JobLeases,
    @Optional() private readonly instance?: Instance,
    @Optional() @Inject(APP_CONFIG) private readonly config?: AppConfig,
  ) {}

  isRunning(job: JobName): boolean {
    return this.running.has(job);
  }

  /** Starts a job in the background; throws JobAlreadyRunningError when the same job is running. */
  async start(
    job: JobName,
    trigger: RunTrigger,
    work: (ctx: RunContext) => Promise<void>,
    options: { actor?: string | null; params?: Record<string, unknown> | null; perInstance?: boolean } = {},
  ): Promise<StartedRun> {
    const current = this.running.get(job);
    if (current) throw new JobAlreadyRunningError(job, current.runId);
    if (this.stopping) throw new Error('the service is shutting down');
    // Reserve the slot before the first await so two callers cannot both start the job.
    let finished!: () => void;
    const reserved: StartedRun = { runId: 'starting', done: new Promise<void>((resolve) => (finished = resolve)) };
    this.running.set(job, reserved);
    let run;
    let lease: Lease | null = null;
    try {
      // Several instances (Postgres): the job's lease, unless the job is one every instance runs (its queue share).
      if (this.leases?.enabled && !options.perInstance) {
        const attempt = await this.leases.acquire(job);
        if (!attempt.acquired) throw new JobAlreadyRunningError(job, 'elsewhere', attempt.holder);
        lease = { token: attempt.token, lost: false, timer: null };
        // Holding the lease, any run of this job still RUNNING is a dead instance's.
        await this.runs.abandonRunningOf(job, 'the process stopped while this run was going on (its instance no longer heartbeats; the job lease was taken over)');
      }
      run = await this.runs.start(job, trigger, options.actor ?? null, options.params ?? null, this.instance?.id ?? null);
    } catch (error) {
      if (lease) await this.leases?.release(job, lease.token);
      this.running.delete(job);
      finished();
      throw error;
    }
    const held = lease;
    let stuck = false;
    const ctx = new RunContext(run.runId, trigger, () => this.stopping || stuck || (held?.lost ?? false));
    reserved.runId = run.runId;
    if (held) this.keepLease(job, held);
    // The watchdog: a run that outlives JOB_WATCHDOG_MINUTES is told to stop and gives its slot up, loudly, so one hung
    // call never stops the job for good (its writes are idempotent; the next run settles what it left in doubt).
    const watchdogMs = LONG_JOBS.has(job) ? 0 : (this.config?.jobWatchdogMinutes ?? 0) * 60_000;
    const watchdog =
      watchdogMs > 0
        ? setTimeout(() => {
            stuck = true;
            if (this.running.get(job) === reserved) this.running.delete(job);
            logEvent(this.logger, 'job_stuck', { job, runId: run.runId, minutes: watchdogMs / 60_000, action: 'asked to stop; the job can run again' }, 'error');
          }, watchdogMs)
        : null;
    watchdog?.unref();
    void this.execute(job, ctx, work, reserved)
      .finally(() => {
        if (watchdog) clearTimeout(watchdog);
      })
      .finally(async () => {
        if (!held) return;
        if (held.timer) clearInterval(held.timer);
        if (!held.lost) await this.leases?.release(job, held.token);
      })
      .finally(finished);
    return reserved;
  }

  /** For schedules: starts the job unless it is already running (then the tick is skipped). */
  async startIfIdle(job: JobName, trigger: RunTrigger, work: (ctx: RunContext) => Promise<void>): Promise<StartedRun | null> {
    if (this.running.has(job) || this.stopping) return null;
    return this.start(job, trigger, work);
  }

  /** Heartbeats the job's lease while it runs; a lease found taken (fencing) stops the run at its next safe point. */
  private keepLease(job: JobName, lease: Lease): void {
    const leases = this.leases as JobLeases;
    let beating = false;
    lease.timer = setInterval(() => {
      if (beating || lease.lost) return;
      beating = true;
      leases
        .heartbeat(job, lease.token)
        .then((ok) => {
          if (ok) return;
          lease.lost = true;
          if (lease.timer) clearInterval(lease.timer);
          logEvent(this.logger, 'job_lease_lost', { job, token: lease.token, instance: this.instance?.id, action: 'stopping the run at its next safe point' }, 'error');
        })
        .catch((error: unknown) => this.logger.warn(`${job} lease heartbeat failed (will retry): ${(error as Error).message}`))
        .finally(() => (beating = false));
    }, Math.max(100, Math.floor(leases.ttlMs / 3)));
    lease.timer.unref();
  }

  private async execute(job: JobName, ctx: RunContext, work: (ctx: RunContext) => Promise<void>, slot: StartedRun): Promise<void> {
    const startedAt = Date.now();
    let state: 'DONE' | 'FAILED' | 'STOPPED' = 'DONE';
    let errorText: string | null = null;
    try {
      await work(ctx);
      if (ctx.stopping) state = 'STOPPED';
    } catch (error) {
      state = 'FAILED';
      errorText = error instanceof Error ? error.message : String(error);
      const disposition = dispositionOf(error);
      logEvent(this.logger, 'run_failed', { job, runId: ctx.runId, error: errorText, disposition }, 'error');
    }
    try {
      await this.runs.finish(ctx.runId, state, ctx.counts, errorText).catch((e: unknown) => {
        this.logger.error(`could not record the end of run ${ctx.runId}: ${(e as Error).message}`);
      });
    } finally {
      // Freed once its end is recorded: until then idle() (tests, shutdown) and the next start see it running. A run
      // the watchdog gave up on may end after a new run took the slot: only its own slot is freed.
      if (this.running.get(job) === slot) this.running.delete(job);
    }
    logEvent(this.logger, 'run_summary', {
      job,
      runId: ctx.runId,
      trigger: ctx.trigger,
      state,
      durationMs: Date.now() - startedAt,
      counts: ctx.counts,
    });
  }

  /** Resolves when no job is running (for tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running.values()].map((r) => r.done));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    const pending = [...this.running.values()].map((r) => r.done);
    if (pending.length === 0) return;
    this.logger.log(`waiting for ${pending.length} running job(s) to stop at a safe point`);
    await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, SHUTDOWN_GRACE_MS).unref())]);
  }
}
