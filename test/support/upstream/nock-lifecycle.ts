import nock from 'nock';
import { captureLogs } from './log-capture';

/**
 * For client specs: no real network, nock cleaned after every test, and the Nest log lines of each test
 * captured (to assert on them, and that no secret is among them).
 */
export function useNockWithCapturedLogs(): { lines: () => string[] } {
  let logs: ReturnType<typeof captureLogs>;
  beforeAll(() => nock.disableNetConnect());
  afterAll(() => nock.enableNetConnect());
  beforeEach(() => {
    logs = captureLogs();
  });
  afterEach(() => {
    logs.restore();
    nock.abortPendingRequests();
    nock.cleanAll();
  });
  return { lines: () => logs.lines() };
}
