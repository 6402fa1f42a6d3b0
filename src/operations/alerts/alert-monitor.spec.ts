import { Logger } from '@nestjs/common';
import { logEvent } from '../../common/structured-log';
import type { AppConfig } from '../../config/app-config';
import type { FeedHealth } from '../../observability/feed-health';
import type { Metrics } from '../../observability/metrics';
import type { AlertCenter, NewAlert } from './alert-center';
import { AlertMonitor } from './alert-monitor';

describe('AlertMonitor: which log events raise alerts', () => {
  const raised: NewAlert[] = [];
  const center = { raise: (a: NewAlert) => Promise.resolve(raised.push(a)) } as unknown as AlertCenter;
  const monitor = new AlertMonitor(center, {} as FeedHealth, {} as Metrics, { schedulerEnabled: false } as AppConfig);
  const logger = new Logger('spec');

  beforeAll(() => {
    jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    jest.spyOn(logger, 'log').mockImplementation(() => undefined);
    monitor.onApplicationBootstrap();
  });
  afterAll(() => monitor.onApplicationShutdown());
  beforeEach(() => (raised.length = 0));

  it('OVERDRAWN and BALANCE_DRIFT conflicts alert (per kind and user); other kinds and refreshes do not', async () => {
    logEvent(logger, 'conflict', { conflictId: 1, kind: 'OVERDRAWN', pepperUserId: 'u1', refreshed: false }, 'warn');
    logEvent(logger, 'conflict', { conflictId: 2, kind: 'BALANCE_DRIFT', pepperUserId: 'u2', refreshed: false }, 'warn');
    logEvent(logger, 'conflict', { conflictId: 2, kind: 'BALANCE_DRIFT', pepperUserId: 'u2', refreshed: true }, 'warn');
    logEvent(logger, 'conflict', { conflictId: 3, kind: 'AMBIGUOUS_MATCH', pepperUserId: 'u3', refreshed: false }, 'warn');
    await monitor.settled();
    expect(raised.map((a) => [a.kind, a.subject])).toEqual([
      ['conflict', 'OVERDRAWN:u1'],
      ['conflict', 'BALANCE_DRIFT:u2'],
    ]);
    expect(raised[0].fields).toMatchObject({ conflictId: 1, conflictKind: 'OVERDRAWN', pepperUserId: 'u1' });
  });

  it('the reconciliation withheld and an expired wait alert; run summaries do not', async () => {
    logEvent(logger, 'reconcile_withheld', { runId: 'r1', drifting: 40, checked: 50 }, 'error');
    logEvent(logger, 'wait_expired', { eventId: 9, source: 'crmcom', type: 'CREDIT', externalId: 'j1', reason: 'no link' }, 'error');
    logEvent(logger, 'run_summary', { runId: 'r2' });
    await monitor.settled();
    expect(raised).toEqual([
      expect.objectContaining({ kind: 'reconcile_withheld', subject: 'reconcile', severity: 'critical', text: expect.stringContaining('40 of 50') }),
      expect.objectContaining({ kind: 'event_parked', subject: 'crmcom:CREDIT', text: expect.stringContaining('MAX_WAIT_HOURS') }),
    ]);
  });
});
