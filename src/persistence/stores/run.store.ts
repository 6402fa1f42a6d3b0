import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { Clock } from '../../common/clock';
import { JobName, RunState, RunTrigger, SyncRunEntity } from '../entities';
import { NO_TRANSACTION } from './no-transaction';

@Injectable()
export class RunStore {
  constructor(
    @InjectRepository(SyncRunEntity) private readonly repo: Repository<SyncRunEntity>,
    private readonly clock: Clock,
  ) {}

  start(
    job: JobName,
    trigger: RunTrigger,
    actor: string | null,
    params: Record<string, unknown> | null,
    instance: string | null = null,
  ): Promise<SyncRunEntity> {
    return this.repo.save(
      this.repo.create({
        runId: randomUUID(),
        job,
        trigger,
        state: 'RUNNING',
        startedAt: this.clock.now(),
        finishedAt: null,
        counts: {},
        error: null,
        actor,
        params,
        instance,
      }), NO_TRANSACTION
    );
  }

  async saveCounts(runId: string, counts: Record<string, number>): Promise<void> {
    await this.repo.update({ runId }, { counts });
  }

  async finish(runId: string, state: Exclude<RunState, 'RUNNING'>, counts: Record<string, number>, error: string | null): Promise<void> {
    await this.repo.update({ runId }, { state, counts, error, finishedAt: this.clock.now() });
  }

  get(runId: string): Promise<SyncRunEntity | null> {
    return this.repo.findOneBy({ runId });
  }

  async lastRunOf(job: JobName): Promise<SyncRunEntity | null> {
    return this.repo.findOne({ where: { job }, order: { startedAt: 'DESC' } });
  }

  /** Runs of one job left RUNNING by an instance that died (its lease was taken over). */
  async abandonRunningOf(job: JobName, reason: string): Promise<number> {
    const result = await this.repo.update({ job, state: 'RUNNING' }, { state: 'STOPPED', error: reason, finishedAt: this.clock.now() });
    return result.affected ?? 0;
  }

  /** Runs left RUNNING by a process that died are marked so on the next start. */
  async abandonRunning(reason: string): Promise<number> {
    const result = await this.repo.update({ state: In(['RUNNING']) }, { state: 'STOPPED', error: reason, finishedAt: this.clock.now() });
    return result.affected ?? 0;
  }
}
