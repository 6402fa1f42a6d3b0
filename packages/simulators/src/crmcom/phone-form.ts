import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { ALPHA2_TO_ALPHA3 } from '../../../../src/common/country-codes';
import type { PhoneRecord } from './crmcom-records';

/**
 * How the simulated CRM.COM stores a phone it is given as a number (E.164, or local in GB): in the documented form
 * `{type, country_code: ISO-3, number: national}`, or — the `phoneAsE164` variant — as an E.164 string in `number`.
 */
export function storedPhone(text: string, asE164: boolean): PhoneRecord {
  const parsed = parsePhoneNumberFromString(text, 'GB');
  if (!parsed?.isValid() || !parsed.country) return { type: 'MOBILE', number: text };
  if (asE164) return { type: 'MOBILE', number: parsed.number };
  return { type: 'MOBILE', countryCode: ALPHA2_TO_ALPHA3[parsed.country], number: parsed.nationalNumber };
}
