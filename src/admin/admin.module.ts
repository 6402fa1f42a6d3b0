import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AdminRateLimitGuard } from './admin-rate-limit.guard';
import { OperationsModule } from '../operations/operations.module';
import { AuditInterceptor } from './audit.interceptor';
import { OperationsController } from './operations.controller';
import { CustomersModule } from '../customers/customers.module';
import { CoreModule } from '../core/core.module';
import { LedgerModule } from '../ledger/ledger.module';
import { LoyaltyModule } from '../loyalty/loyalty.module';
import { PepperModule } from '../pepper/pepper.module';
import { PersistenceModule } from '../persistence/persistence.module';
import { SyncModule } from '../sync/sync.module';
import { AdminController } from './admin.controller';
import { AudiencesController } from './audiences.controller';
import { NotificationsModule } from '../notifications/notifications.module';
import { NotificationsUseCases, SegmentsUseCases } from './use-cases/audiences.use-cases';
import { AdminTokenGuard } from './admin-token.guard';
import { RequestLoggerMiddleware } from './request-logger.middleware';
import { HealthController } from './health.controller';
import { MetricsAccessGuard, MetricsController } from './metrics.controller';
import { UpstreamErrorFilter } from './upstream-error.filter';
import { BulkRetryFailedEventsUseCase } from './use-cases/bulk-retry-failed-events.use-case';
import { GetStatusUseCase } from './use-cases/get-status.use-case';
import { GetRunUseCase, ListConflictsUseCase, ListFailedEventsUseCase, ListLinksUseCase } from './use-cases/list-use-cases';
import { ResolveConflictUseCase } from './use-cases/resolve-conflict.use-case';
import { ResyncUserUseCase } from './use-cases/resync-user.use-case';
import { ListShadowWritesUseCase, ListWritesUseCase } from './use-cases/list-writes.use-case';
import { RetryFailedEventUseCase } from './use-cases/retry-failed-event.use-case';
import { SettleWriteUseCase } from './use-cases/settle-write.use-case';
import { StartResyncUseCase } from './use-cases/start-resync.use-case';

@Module({
  imports: [
    PersistenceModule,
    PepperModule,
    CoreModule,
    LedgerModule,
    CustomersModule,
    LoyaltyModule,
    SyncModule,
    OperationsModule,
    NotificationsModule,
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => [{ ttl: 60_000, limit: config.ops.adminRateLimitPerMinute }],
    }),
  ],
  controllers: [AdminController, HealthController, MetricsController, OperationsController, AudiencesController],
  providers: [
    AdminTokenGuard,
    MetricsAccessGuard,
    GetStatusUseCase,
    StartResyncUseCase,
    ResyncUserUseCase,
    GetRunUseCase,
    ListLinksUseCase,
    ListConflictsUseCase,
    ListFailedEventsUseCase,
    ResolveConflictUseCase,
    RetryFailedEventUseCase,
    BulkRetryFailedEventsUseCase,
    ListWritesUseCase,
    ListShadowWritesUseCase,
    SettleWriteUseCase,
    SegmentsUseCases,
    NotificationsUseCases,
    { provide: APP_GUARD, useClass: AdminRateLimitGuard },
    { provide: APP_FILTER, useClass: UpstreamErrorFilter },
    { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
  ],
})
export class AdminModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestLoggerMiddleware).forRoutes('*path');
  }
}
