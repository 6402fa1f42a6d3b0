import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Like, Repository } from 'typeorm';
import { LeaseEntity } from '../entities';
import { rawQuery } from '../dialect';

export type LeaseAttempt = { acquired: true; token: number } | { acquired: false; current: LeaseEntity };

/** Exclusive leases in the database. Every change is one conditional statement, so two processes cannot both win. */
@Injectable()
export class LeaseStore {
  constructor(@InjectRepository(LeaseEntity) private readonly repo: Repository<LeaseEntity>) {}

  /** Takes the lease when it is free, expired (no heartbeat since `expiredBefore`) or already this holder's. */
  async acquire(name: string, holder: string, now: Date, expiredBefore: Date): Promise<LeaseAttempt> {
    const at = now.toISOString();
    await rawQuery(
      this.repo.manager.connection,
      `INSERT INTO "lease" ("name", "holder", "token", "acquiredAt", "heartbeatAt") VALUES (?, ?, 1, ?, ?)
       ON CONFLICT ("name") DO UPDATE SET "holder" = excluded."holder", "token" = "lease"."token" + 1,
         "acquiredAt" = excluded."acquiredAt", "heartbeatAt" = excluded."heartbeatAt"
       WHERE "lease"."holder" IS NULL OR "lease"."holder" = excluded."holder" OR "lease"."heartbeatAt" IS NULL OR "lease"."heartbeatAt" < ?`,
      [name, holder, at, at, expiredBefore.toISOString()],
    );
    const current = (await this.get(name)) as LeaseEntity;
    return current.holder === holder ? { acquired: true, token: current.token } : { acquired: false, current };
  }

  /** False when the lease is no longer this holder's (taken over, or released by someone else). */
  async heartbeat(name: string, holder: string, token: number, now: Date): Promise<boolean> {
    const result = await this.repo.update({ name, holder, token }, { heartbeatAt: now.toISOString() });
    return result.affected === 1;
  }

  async release(name: string, holder: string, token: number): Promise<boolean> {
    const result = await this.repo.update({ name, holder, token }, { holder: null });
    return result.affected === 1;
  }

  withPrefix(prefix: string): Promise<LeaseEntity[]> {
    return this.repo.findBy({ name: Like(`${prefix}%`) });
  }

  get(name: string): Promise<LeaseEntity | null> {
    return this.repo.findOneBy({ name });
  }
}
