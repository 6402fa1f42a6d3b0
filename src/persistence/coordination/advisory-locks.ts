import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { POSTGRES_POOL_SIZE } from '../data-source-options';

/** The first key of every lock this service takes (the second is a hash of the name): apart from other users of the database. */
const LOCK_CLASS = 4242;
const RETRY_FIRST_MS = 5;
const RETRY_MAX_MS = 200;
/** Connections left to the work itself (its queries) and to the admin API while locks are held. */
const RESERVED_CONNECTIONS = 8;

/**
 * Database-wide named locks (Postgres only): a session advisory lock on (LOCK_CLASS, hashtext(name)), held on a
 * connection of its own for as long as the task runs, so two instances never run the task for one name at once.
 * Waiting never holds a connection (pg_try_advisory_lock, retried with backoff), and at most pool − 8 locks are held
 * at once, so the tasks' own queries always find a connection. A crashed instance's locks go with its connections.
 */
@Injectable()
export class AdvisoryLocks {
  private held = 0;
  private readonly waiters: Array<() => void> = [];
  private readonly limit = Math.max(1, POSTGRES_POOL_SIZE - RESERVED_CONNECTIONS);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly source: DataSource,
  ) {}

  get enabled(): boolean {
    return this.config.databaseUrl !== null;
  }

  async withLock<T>(name: string, task: () => Promise<T>): Promise<T> {
    if (!this.enabled) return task();
    await this.slot();
    try {
      const runner = await this.lock(name);
      try {
        return await task();
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_CLASS, name]).catch(() => undefined);
        await runner.release();
      }
    } finally {
      this.held--;
      this.waiters.shift()?.();
    }
  }

  private async slot(): Promise<void> {
    while (this.held >= this.limit) await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.held++;
  }

  private async lock(name: string) {
    for (let wait = RETRY_FIRST_MS; ; wait = Math.min(wait * 2, RETRY_MAX_MS)) {
      const runner = this.source.createQueryRunner();
      try {
        await runner.connect();
        const [row] = (await runner.query('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [LOCK_CLASS, name])) as Array<{ ok: boolean }>;
        if (row?.ok) return runner;
      } catch (error) {
        await runner.release();
        throw error;
      }
      await runner.release();
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
