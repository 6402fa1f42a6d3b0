import { redactSecrets } from './redact';

describe('redactSecrets', () => {
  it('replaces every occurrence of each secret', () => {
    expect(redactSecrets('token abcd1234 and again abcd1234; key k3y-value', ['abcd1234', 'k3y-value'])).toBe(
      'token *** and again ***; key ***',
    );
  });

  it('ignores empty, missing and very short secrets', () => {
    expect(redactSecrets('a b abc the', ['', null, undefined, 'abc', 'a'])).toBe('a b abc the');
  });

  it('replaces a longer secret whole when it contains a shorter one', () => {
    expect(redactSecrets('Bearer secret-refresh-token', ['secret', 'secret-refresh-token'])).toBe('Bearer ***');
  });

  it('treats secrets as text, not patterns', () => {
    expect(redactSecrets('p.a+s$s(w)o*rd here', ['p.a+s$s(w)o*rd'])).toBe('*** here');
  });

  it('returns the text unchanged when there are no secrets', () => {
    expect(redactSecrets('nothing to hide', [])).toBe('nothing to hide');
  });
});
