import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LeaseEntity } from '../entities';
import { LeaseStore } from '../stores/lease.store';
import { WriterLease } from './writer-lease';
import { Instance } from '../coordination/instance';

/**
 * Imported by PersistenceModule, so Nest places it deeper than the modules that run jobs (SyncModule, AdminModule).
 * Nest initialises deeper modules first and shuts them down later (global ones, such as TypeORM's, last of all): the
 * lease is taken before any job starts, and released after the jobs have stopped but before the database closes.
 */
@Module({
  imports: [TypeOrmModule.forFeature([LeaseEntity])],
  providers: [LeaseStore, WriterLease, Instance],
  exports: [WriterLease, LeaseStore, Instance],
})
export class LeaseModule {}
