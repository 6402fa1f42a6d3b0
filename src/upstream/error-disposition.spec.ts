import { dispositionOf, ErrorDisposition } from './error-disposition';
import { UpstreamError, UpstreamErrorCode, UpstreamErrorDetails } from './upstream-error';

class TestUpstreamError extends UpstreamError {
  readonly upstream = 'pepper' as const;
  constructor(details: UpstreamErrorDetails) {
    super('test', details);
  }
}

describe('dispositionOf', () => {
  const expected: Array<[UpstreamErrorCode, ErrorDisposition]> = [
    ['RATE_LIMITED', 'RETRY_LATER'],
    ['SERVER_ERROR', 'RETRY_LATER'],
    ['TIMEOUT', 'RETRY_LATER'],
    ['NETWORK', 'RETRY_LATER'],
    ['UNAUTHORIZED', 'FAIL_RUN'],
    ['FORBIDDEN', 'FAIL_RUN'],
    ['NOT_FOUND', 'PARK'],
    ['VALIDATION', 'PARK'],
    ['BAD_REQUEST', 'PARK'],
    ['INVALID_RESPONSE', 'PARK'],
    ['FILTER_IGNORED', 'PARK'],
    ['PAGE_LIMIT', 'PARK'],
  ];

  it.each(expected)('%s → %s', (code, disposition) => {
    expect(dispositionOf(new TestUpstreamError({ code }))).toBe(disposition);
  });

  it('parks anything that is not an upstream error', () => {
    expect(dispositionOf(new Error('boom'))).toBe('PARK');
    expect(dispositionOf('text')).toBe('PARK');
    expect(dispositionOf(undefined)).toBe('PARK');
  });
});
