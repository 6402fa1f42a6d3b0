import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ReadinessController } from './health/readiness.controller';

/** Running it in production: readiness, the audit trail, alerts, retention. */
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [ReadinessController],
})
export class OperationsModule {}
