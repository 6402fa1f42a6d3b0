import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AlertEntity, AuditEntryEntity } from '../persistence/entities';
import { AlertCenter } from './alerts/alert-center';
import { AlertMonitor } from './alerts/alert-monitor';
import { AuditTrail } from './audit/audit-trail';
import { ReadinessController } from './health/readiness.controller';
import { Retention } from './retention/retention';

/** Running it in production: readiness, the audit trail, alerts, retention. */
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), TypeOrmModule.forFeature([AuditEntryEntity, AlertEntity])],
  controllers: [ReadinessController],
  providers: [AuditTrail, AlertCenter, AlertMonitor, Retention],
  exports: [AuditTrail, AlertCenter, AlertMonitor, Retention],
})
export class OperationsModule {}
