import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { logEvent } from '../../common/structured-log';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { LeaseStore } from '../stores/lease.store';
import { Instance } from './instance';

export const JOB_LEASE_PREFIX = 'job:';

export type JobLeaseAttempt = { acquired: true; token: number } | { acquired: false; holder: string };

export interface JobHolder {
  instance: string;
  token: number;
  heartbeatAt: string | null;
}

/**
 * On Postgres (several instances): a job runs in one instance at a time. Its lease is a row of `lease`
 * (`job:<name>`): taken when the run starts, heartbeated every LEASE_TTL_SECONDS/3 while it runs, released when it
 * ends. An instance that dies leaves the row until its heartbeat is LEASE_TTL_SECONDS old; then the next tick of
 * any other instance takes it, with the next fencing token. A holder whose heartbeat finds the lease taken stops
 * its run at the next safe point. On SQLite (one writer process) every lease is granted at once.
 */
@Injectable()
export class JobLeases {
  private readonly logger = new Logger('JobLeases');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: LeaseStore,
    private readonly clock: Clock,
    private readonly instance: Instance,
  ) {}

  get enabled(): boolean {
    return this.config.databaseUrl !== null;
  }

  get ttlMs(): number {
    return this.config.leaseTtlSeconds * 1000;
  }

  async acquire(job: string): Promise<JobLeaseAttempt> {
    if (!this.enabled) return { acquired: true, token: 0 };
    const now = this.clock.now();
    const attempt = await this.store.acquire(JOB_LEASE_PREFIX + job, this.instance.id, now, new Date(now.getTime() - this.ttlMs));
    if (attempt.acquired) {
      logEvent(this.logger, 'job_lease_acquired', { job, instance: this.instance.id, token: attempt.token });
      return attempt;
    }
    return { acquired: false, holder: attempt.current.holder ?? 'another instance' };
  }

  /** False when another instance has taken the lease (this one missed its heartbeats): the run must stop. */
  async heartbeat(job: string, token: number): Promise<boolean> {
    if (!this.enabled) return true;
    return this.store.heartbeat(JOB_LEASE_PREFIX + job, this.instance.id, token, this.clock.now());
  }

  async release(job: string, token: number): Promise<void> {
    if (!this.enabled) return;
    await this.store.release(JOB_LEASE_PREFIX + job, this.instance.id, token).catch((error: unknown) => {
      this.logger.warn(`the lease of ${job} could not be released (another instance waits LEASE_TTL_SECONDS): ${(error as Error).message}`);
    });
  }

  /** The instance holding each job now (a live lease), for /admin/status. */
  async holders(): Promise<Record<string, JobHolder>> {
    if (!this.enabled) return {};
    const cutoff = this.clock.nowMs() - this.ttlMs;
    const rows = await this.store.withPrefix(JOB_LEASE_PREFIX);
    const held: Record<string, JobHolder> = {};
    for (const row of rows) {
      if (!row.holder || !row.heartbeatAt || Date.parse(row.heartbeatAt) < cutoff) continue;
      held[row.name.slice(JOB_LEASE_PREFIX.length)] = { instance: row.holder, token: row.token, heartbeatAt: row.heartbeatAt };
    }
    return held;
  }
}
