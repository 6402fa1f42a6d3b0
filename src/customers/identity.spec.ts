import type { PepperUser } from '../pepper/pepper.types';
import { identityOf, normaliseEmail, normalisePhone } from './identity';

const user = (credentials: PepperUser['credentials']): PepperUser => ({
  id: 'u1',
  firstName: 'Ann',
  lastName: 'Lee',
  deleted: false,
  hasAgreedToReceiveMarketing: true,
  credentials,
  updatedAt: null,
});

describe('identity normalisation', () => {
  it('compares emails trimmed and lower-cased', () => {
    expect(normaliseEmail('  Ann.Lee@Example.COM ')).toBe('ann.lee@example.com');
    expect(normaliseEmail('not an email')).toBeNull();
  });

  it('writes phones in E.164, using the default region for local numbers', () => {
    expect(normalisePhone('07400 000123', 'GB')).toBe('+447400000123');
    expect(normalisePhone('+44 7400 000123', 'FR')).toBe('+447400000123');
    expect(normalisePhone('12', 'GB')).toBeNull();
  });

  it('splits credentials by verification, primary first, and keeps unreadable phones apart', () => {
    const identity = identityOf(
      user([
        { id: 'second@example.com', provider: 'EMAIL', isVerified: true, isPrimary: false },
        { id: 'First@example.com', provider: 'EMAIL', isVerified: true, isPrimary: true },
        { id: 'typed@example.com', provider: 'EMAIL', isVerified: false, isPrimary: false },
        { id: '07400000123', provider: 'MOBILE', isVerified: true, isPrimary: true },
        { id: '+447400000999', provider: 'MOBILE', isVerified: false, isPrimary: false },
        { id: 'abc', provider: 'MOBILE', isVerified: true, isPrimary: false },
      ]),
      'GB',
    );
    expect(identity).toEqual({
      verifiedEmails: ['first@example.com', 'second@example.com'],
      unverifiedEmails: ['typed@example.com'],
      verifiedPhones: ['+447400000123'],
      unverifiedPhones: ['+447400000999'],
      unreadablePhones: ['abc'],
    });
  });
});
