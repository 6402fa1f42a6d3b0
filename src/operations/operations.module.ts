import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditEntryEntity } from '../persistence/entities';
import { AuditTrail } from './audit/audit-trail';
import { ReadinessController } from './health/readiness.controller';

/** Running it in production: readiness, the audit trail, alerts, retention. */
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), TypeOrmModule.forFeature([AuditEntryEntity])],
  controllers: [ReadinessController],
  providers: [AuditTrail],
  exports: [AuditTrail],
})
export class OperationsModule {}
