import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { LEASE_LOST, LeaseLostHandler } from '../../common/lease-lost';
import { logEvent } from '../../common/structured-log';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { LeaseStore } from '../stores/lease.store';
import { LeaseRefusedError } from './lease-refused.error';

export const WRITER_LEASE = 'writer';

export function newHolderId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/**
 * One process per database, since two would each send the same pending writes: taken at start-up, before any job
 * runs; kept alive by a heartbeat every TTL/3; released on a clean shutdown so the next process starts at once.
 * Losing it stops the process.
 */
@Injectable()
export class WriterLease implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('WriterLease');
  readonly holder = newHolderId();
  private token: number | null = null;
  private lastBeatMs = 0;
  private beating = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: LeaseStore,
    private readonly clock: Clock,
    @Inject(LEASE_LOST) private readonly onLost: LeaseLostHandler,
  ) {}

  private get ttlMs(): number {
    return this.config.leaseTtlSeconds * 1000;
  }

  /** The fencing token of the current holding, or null when this process does not hold the lease. */
  get heldToken(): number | null {
    return this.token;
  }

  async onModuleInit(): Promise<void> {
    // On Postgres several instances share the database: each job runs in one instance at a time (job leases) and
    // each user is worked by one instance at a time (advisory locks), so there is no single writer.
    if (this.config.databaseUrl) return;
    await this.acquire();
    this.timer = setInterval(() => void this.heartbeat(), Math.max(1, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
  }

  /** Throws LeaseRefusedError, naming the holder, when another live process holds the lease. */
  async acquire(): Promise<void> {
    const now = this.clock.now();
    const attempt = await this.store.acquire(WRITER_LEASE, this.holder, now, new Date(now.getTime() - this.ttlMs));
    if (!attempt.acquired) throw new LeaseRefusedError(attempt.current, now, this.config.leaseTtlSeconds, this.config.databasePath);
    this.token = attempt.token;
    this.lastBeatMs = now.getTime();
    logEvent(this.logger, 'writer_lease_acquired', { holder: this.holder, token: this.token, ttlSeconds: this.config.leaseTtlSeconds });
  }

  /** Proves this process is alive; finding the lease taken, or unable to prove it for a whole TTL, loses it. */
  async heartbeat(): Promise<void> {
    if (this.token === null || this.beating) return;
    this.beating = true;
    try {
      const now = this.clock.now();
      if (await this.store.heartbeat(WRITER_LEASE, this.holder, this.token, now)) {
        this.lastBeatMs = now.getTime();
        return;
      }
      const current = await this.store.get(WRITER_LEASE);
      this.lose(`the writer lease is now held by ${current?.holder ?? 'nobody'} (token ${current?.token ?? '?'}, ours was ${this.token})`);
    } catch (error) {
      const silentMs = this.clock.nowMs() - this.lastBeatMs;
      if (silentMs < this.ttlMs) {
        this.logger.warn(`writer lease heartbeat failed (will retry): ${(error as Error).message}`);
        return;
      }
      // Past the TTL another process may already have taken over: writing on would risk writing twice.
      this.lose(`no writer lease heartbeat for ${Math.round(silentMs / 1000)} s (${(error as Error).message}); another process may have taken over`);
    } finally {
      this.beating = false;
    }
  }

  private lose(reason: string): void {
    this.stopHeartbeat();
    const token = this.token;
    this.token = null;
    logEvent(this.logger, 'writer_lease_lost', { holder: this.holder, token, reason, action: 'stopping the process so it writes no more' }, 'error');
    this.onLost(reason);
  }

  private stopHeartbeat(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopHeartbeat();
    if (this.token === null) return;
    const token = this.token;
    this.token = null;
    try {
      await this.store.release(WRITER_LEASE, this.holder, token);
      logEvent(this.logger, 'writer_lease_released', { holder: this.holder, token });
    } catch (error) {
      this.logger.warn(`the writer lease could not be released (the next process waits LEASE_TTL_SECONDS): ${(error as Error).message}`);
    }
  }
}
