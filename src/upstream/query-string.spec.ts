import { toQueryString } from './query-string';

describe('toQueryString', () => {
  it('keeps dotted and bracketed filter keys literal', () => {
    expect(
      toQueryString({
        'when.timestamp.gt': '2026-01-01T12:00:00.000Z',
        'type.in': 'A,B',
        'posted_on[gte]': 1767268800,
      }),
    ).toBe('?when.timestamp.gt=2026-01-01T12:00:00.000Z&type.in=A,B&posted_on[gte]=1767268800');
  });

  it('encodes values that would change meaning', () => {
    expect(toQueryString({ email_address: 'a+b@x.com', phone_number: '+44 7911', q: 'a&b=c' })).toBe(
      '?email_address=a%2Bb%40x.com&phone_number=%2B44%207911&q=a%26b%3Dc',
    );
  });

  it('leaves out absent values and answers empty for no query', () => {
    expect(toQueryString({ a: undefined, b: null, c: false })).toBe('?c=false');
    expect(toQueryString({})).toBe('');
    expect(toQueryString(undefined)).toBe('');
  });
});
