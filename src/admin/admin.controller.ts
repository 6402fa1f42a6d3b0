import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from './openapi';
import { BadRequestException, Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, Query, UseGuards } from '@nestjs/common';
import { AdminTokenGuard } from './admin-token.guard';
import { ConflictsQueryDto, FailedEventsQueryDto, LinksQueryDto } from './dto/list-query.dto';
import { BulkRetryDto } from './dto/bulk-retry.dto';
import { ResolveConflictDto } from './dto/resolve-conflict.dto';
import { ActorDto, ResyncDto } from './dto/resync.dto';
import { SettleWriteDto, WritesQueryDto } from './dto/writes.dto';
import { BulkRetryFailedEventsUseCase } from './use-cases/bulk-retry-failed-events.use-case';
import { GetStatusUseCase } from './use-cases/get-status.use-case';
import { GetRunUseCase, ListConflictsUseCase, ListFailedEventsUseCase, ListLinksUseCase } from './use-cases/list-use-cases';
import { ListShadowWritesUseCase, ListWritesUseCase } from './use-cases/list-writes.use-case';
import { ResolveConflictUseCase } from './use-cases/resolve-conflict.use-case';
import { ResyncUserUseCase } from './use-cases/resync-user.use-case';
import { RetryFailedEventUseCase } from './use-cases/retry-failed-event.use-case';
import { SettleWriteUseCase } from './use-cases/settle-write.use-case';
import { StartResyncUseCase } from './use-cases/start-resync.use-case';
import { ListQueryDto } from './dto/list-query.dto';

const idParam = (name: string) =>
  new ParseIntPipe({ exceptionFactory: () => new BadRequestException(`${name} must be a whole number`) });

const ID_PATTERN = /^[A-Za-z0-9_.:@+-]{1,200}$/;
function checkedId(name: string, value: string): string {
  if (!ID_PATTERN.test(value)) throw new BadRequestException(`${name} must be 1-200 letters, digits or _.:@+-`);
  return value;
}

@Controller('admin')
@UseGuards(AdminTokenGuard)
@ApiBearerAuth()
@ApiTags('admin')
export class AdminController {
  constructor(
    private readonly getStatus: GetStatusUseCase,
    private readonly startResync: StartResyncUseCase,
    private readonly resyncUser: ResyncUserUseCase,
    private readonly getRun: GetRunUseCase,
    private readonly listLinks: ListLinksUseCase,
    private readonly listConflicts: ListConflictsUseCase,
    private readonly resolveConflict: ResolveConflictUseCase,
    private readonly listFailedEvents: ListFailedEventsUseCase,
    private readonly retryFailedEvent: RetryFailedEventUseCase,
    private readonly bulkRetryFailedEvents: BulkRetryFailedEventsUseCase,
    private readonly listWrites: ListWritesUseCase,
    private readonly listShadowWrites: ListShadowWritesUseCase,
    private readonly settleWrite: SettleWriteUseCase,
  ) {}

  @Get('status')
  @ApiErrors(401)
  status() {
    return this.getStatus.execute();
  }

  @Post('resync')
  @ApiErrors(400, 401, 409)
  @HttpCode(202)
  resync(@Body() body: ResyncDto) {
    return this.startResync.execute(body);
  }

  @Post('resync/users/:pepperUserId')
  @ApiErrors(400, 401, 404, 502)
  @HttpCode(200)
  resyncOneUser(@Param('pepperUserId') pepperUserId: string, @Body() body: ActorDto) {
    return this.resyncUser.execute(checkedId('pepperUserId', pepperUserId), body.actor ?? null);
  }

  @Get('runs/:runId')
  @ApiErrors(400, 401, 404)
  run(@Param('runId') runId: string) {
    return this.getRun.execute(checkedId('runId', runId));
  }

  @Get('links')
  @ApiErrors(400, 401)
  links(@Query() query: LinksQueryDto) {
    return this.listLinks.execute(query);
  }

  @Get('conflicts')
  @ApiErrors(400, 401)
  conflicts(@Query() query: ConflictsQueryDto) {
    return this.listConflicts.execute(query);
  }

  @Post('conflicts/:id/resolve')
  @ApiErrors(400, 401, 404, 409, 502)
  @HttpCode(200)
  resolve(@Param('id', idParam('id')) id: number, @Body() body: ResolveConflictDto) {
    return this.resolveConflict.execute(id, body);
  }

  @Get('failed-events')
  @ApiErrors(400, 401)
  failedEvents(@Query() query: FailedEventsQueryDto) {
    return this.listFailedEvents.execute(query);
  }

  // Declared before failed-events/:id/retry: the literal path must never be read as an id.
  @Post('failed-events/retry')
  @ApiErrors(400, 401)
  @HttpCode(200)
  bulkRetry(@Body() body: BulkRetryDto) {
    return this.bulkRetryFailedEvents.execute(body);
  }

  @Post('failed-events/:id/retry')
  @ApiErrors(400, 401, 404, 409)
  @HttpCode(200)
  retry(@Param('id', idParam('id')) id: number) {
    return this.retryFailedEvent.execute(id);
  }

  @Get('writes')
  @ApiErrors(400, 401)
  writes(@Query() query: WritesQueryDto) {
    return this.listWrites.execute(query);
  }

  @Get('shadow-writes')
  @ApiErrors(400, 401)
  shadowWrites(@Query() query: ListQueryDto) {
    return this.listShadowWrites.execute(query);
  }

  @Post('writes/:id/settle')
  @ApiErrors(400, 401, 404, 409)
  @HttpCode(200)
  settle(@Param('id', idParam('id')) id: number, @Body() body: SettleWriteDto) {
    return this.settleWrite.execute(id, body);
  }
}
