import { CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';
import { ALPHA2_TO_ALPHA3, ALPHA3_TO_ALPHA2 } from './country-codes';

/**
 * The one place that reads and writes phone numbers. Inside the connector a phone is E.164 ("+447911123456") or
 * nothing; every comparison is in E.164. CRM.COM documents a contact's phone as
 * `{type, country_code (ISO-3, e.g. "GBR"), number (national, e.g. "7911123456")}`; other systems write an E.164 string
 * or a local number, which is read in the merchant's PHONE_DEFAULT_REGION.
 */
export type E164 = string;

export interface CrmPhone {
  type: string;
  country_code: string;
  number: string;
}

/** E.164, or null when the text is not a valid number (a local one is read in the default region). */
export function toE164(text: string, defaultRegion: string): E164 | null {
  const parsed = parsePhoneNumberFromString(text.trim(), defaultRegion.toUpperCase() as CountryCode);
  return parsed && parsed.isValid() ? parsed.number : null;
}

/**
 * A phone as CRM.COM holds it, in any documented or seen form: `{country_code: ISO-3 (or ISO-2), number: national}`,
 * `{number: E.164 or local}`, or a bare string. Null when there is no readable number.
 */
export function crmPhoneToE164(raw: unknown, defaultRegion: string): E164 | null {
  if (typeof raw === 'string') return raw.trim() === '' ? null : toE164(raw, defaultRegion);
  if (!raw || typeof raw !== 'object') return null;
  const { country_code: countryCode, number } = raw as { country_code?: unknown; number?: unknown };
  if (typeof number !== 'string' || number.trim() === '') return null;
  const code = typeof countryCode === 'string' ? countryCode.trim().toUpperCase() : '';
  const region = code.length === 3 ? ALPHA3_TO_ALPHA2[code] : code.length === 2 && ALPHA2_TO_ALPHA3[code] ? code : undefined;
  return toE164(number, region ?? defaultRegion);
}

/** The documented CRM.COM form of an E.164 number; null when it is not a valid one. */
export function e164ToCrmPhone(e164: E164, type = 'MOBILE'): CrmPhone | null {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed?.isValid() || !parsed.country) return null;
  const alpha3 = ALPHA2_TO_ALPHA3[parsed.country];
  return alpha3 ? { type, country_code: alpha3, number: parsed.nationalNumber } : null;
}

/** The national significant number of an E.164 phone (what CRM.COM's documented `number` field holds). */
export function nationalNumberOf(e164: E164): string | null {
  const parsed = parsePhoneNumberFromString(e164);
  return parsed?.isValid() ? parsed.nationalNumber : null;
}
