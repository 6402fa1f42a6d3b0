import { redactHeaders } from './request-logger.middleware';

describe('redactHeaders', () => {
  it('hides credentials and keeps the rest', () => {
    expect(redactHeaders({ Authorization: 'Bearer secret-admin-token', api_key: 'k', 'user-agent': 'curl/8', accept: 'application/json' })).toEqual({
      Authorization: '[redacted]',
      api_key: '[redacted]',
      'user-agent': 'curl/8',
      accept: 'application/json',
    });
  });
});
