import { crmPhoneToE164, e164ToCrmPhone, nationalNumberOf, toE164 } from './phone';

describe('phone', () => {
  it('reads E.164, international and local numbers into E.164 (local ones in the default region)', () => {
    expect(toE164('+44 7911 123456', 'GB')).toBe('+447911123456');
    expect(toE164('07911 123456', 'GB')).toBe('+447911123456');
    expect(toE164('99 123456', 'CY')).toBe('+35799123456');
    expect(toE164('12', 'GB')).toBeNull();
  });

  it('reads every form CRM.COM may hold: ISO-3 country code + national number, ISO-2, an E.164 string, a local one', () => {
    expect(crmPhoneToE164({ type: 'MOBILE', country_code: 'GBR', number: '7911123456' }, 'CY')).toBe('+447911123456');
    expect(crmPhoneToE164({ type: 'MOBILE', country_code: 'CYP', number: '99123456' }, 'GB')).toBe('+35799123456');
    expect(crmPhoneToE164({ country_code: 'gb', number: '07911 123456' }, 'CY')).toBe('+447911123456');
    expect(crmPhoneToE164({ number: '+447911123456' }, 'CY')).toBe('+447911123456');
    expect(crmPhoneToE164({ number: '07911123456' }, 'GB')).toBe('+447911123456');
    expect(crmPhoneToE164('+35799123456', 'GB')).toBe('+35799123456');
    expect(crmPhoneToE164({ country_code: 'GBR' }, 'GB')).toBeNull();
    expect(crmPhoneToE164(null, 'GB')).toBeNull();
    expect(crmPhoneToE164({ number: 'not a phone' }, 'GB')).toBeNull();
  });

  it('writes the documented form: ISO-3 country code and national number', () => {
    expect(e164ToCrmPhone('+447400123456')).toEqual({ type: 'MOBILE', country_code: 'GBR', number: '7400123456' });
    // Numbering plans, not prefixes, decide the country: +44 7911 is a Guernsey range.
    expect(e164ToCrmPhone('+447911123456')).toEqual({ type: 'MOBILE', country_code: 'GGY', number: '7911123456' });
    expect(e164ToCrmPhone('+35799123456')).toEqual({ type: 'MOBILE', country_code: 'CYP', number: '99123456' });
    expect(e164ToCrmPhone('+1')).toBeNull();
    expect(nationalNumberOf('+447911123456')).toBe('7911123456');
  });

  it('round-trips: what it writes it reads back to the same E.164', () => {
    for (const e164 of ['+447911123456', '+35799123456', '+306912345678', '+12025550123']) {
      expect(crmPhoneToE164(e164ToCrmPhone(e164), 'GB')).toBe(e164);
    }
  });
});
