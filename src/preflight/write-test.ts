import { crmPhoneToE164, toE164 } from '../common/phone';
import { CrmJournal } from '../crmcom/crmcom.types';
import { isRecord } from '../upstream/json-shape';
import { Outcome } from './preflight.types';
import { PreflightSession, describeError } from './preflight-session';

/** Amount of the test purchase and of the test credit (and its reversal), in minor units. */
export const TEST_AMOUNT_MINOR = 100;

export interface WriteTestRow {
  id: string;
  check: string;
  expected: string;
  outcome: Outcome;
}

/** `preflight-20260315-143012-123`: the test contact's code, and the stem of its references. */
export function preflightStamp(now: Date): string {
  const iso = now.toISOString();
  return `preflight-${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}-${iso.slice(20, 23)}`;
}

/** A valid UK mobile number for the test contact (removed from it again at the end). */
function testPhone(random: () => number): string {
  for (;;) {
    const candidate = `+4474${String(Math.floor(random() * 1e8)).padStart(8, '0')}`;
    const e164 = toE164(candidate, 'GB');
    if (e164) return e164;
  }
}

/**
 * `--write-test-contact`: one clearly named test contact (code `preflight-<timestamp>`), written with the connector's
 * own field names, read back by id, code, email and phone; a test purchase and a test wallet credit with unique
 * references, read back by reference; the credit reversed by a debit of the same amount. Nothing is deleted
 * (CRM.COM keeps its records); the test phone is cleared from the contact at the end.
 */
export async function runWriteTest(s: PreflightSession, random: () => number = Math.random): Promise<WriteTestRow[]> {
  const { crm, crmRaw, config, clock } = s.deps;
  const started = clock.now();
  const stamp = preflightStamp(started);
  const app = config.pepper.applicationId;
  const currency = config.crmcom.currency;
  const rows: WriteTestRow[] = [];
  const row = (id: string, check: string, expected: string, outcome: Outcome): void => {
    rows.push({ id, check, expected, outcome });
  };

  // 1. The contact.
  const email = `${stamp}@example.com`;
  const phone = testPhone(random);
  const contactExpected = 'created with the connector\'s field names; code, email and phone{country_code, number} read back the same, by id and by code=, email_address=, phone_number=';
  let contactId: string;
  try {
    contactId = await crm.createContact({ code: stamp, firstName: 'Preflight', lastName: 'Test contact (safe to ignore)', email, phoneNumber: phone, emailOptOut: true, smsOptOut: true });
  } catch (err) {
    row('write.contact', 'Test contact written and found', contactExpected, { verdict: 'FAIL', seen: `POST /contacts: ${describeError(err)}`, fix: 'the contact body is refused: compare contactWriteToWire in src/crmcom/crmcom.wire.ts with what CRM.COM wants' });
    return rows;
  }
  const problems: string[] = [];
  const raw = await crmRaw.get(`/contacts/${encodeURIComponent(contactId)}`);
  const record = isRecord(raw) ? raw : {};
  if (record.code !== stamp) problems.push(`code read back as ${JSON.stringify(record.code)}`);
  if (typeof record.email !== 'string' || record.email.toLowerCase() !== email) problems.push(`email read back as ${JSON.stringify(record.email)}`);
  const phoneBack = crmPhoneToE164(record.phone, config.phoneDefaultRegion);
  if (phoneBack !== phone) problems.push(`phone read back as ${JSON.stringify(record.phone)}`);
  const phoneShape = isRecord(record.phone) ? Object.keys(record.phone).sort().join(',') : typeof record.phone;
  const lookups: Array<[string, () => Promise<Array<{ id: string }>>]> = [
    ['code', () => crm.findContacts({ code: stamp })],
    ['email', () => crm.findContacts({ email })],
    ['phone', () => crm.findContacts({ phone })],
  ];
  for (const [name, find] of lookups) {
    try {
      const found = await find();
      if (!found.some((c) => c.id === contactId)) problems.push(`not found by ${name}`);
    } catch (err) {
      problems.push(`search by ${name}: ${describeError(err)}`);
    }
  }
  const contactSeen = `contact ${contactId} (code ${stamp}); phone kept as {${phoneShape}}`;
  row('write.contact', 'Test contact written and found', contactExpected,
    problems.length === 0
      ? { verdict: 'PASS', seen: contactSeen }
      : { verdict: 'FAIL', seen: `${contactSeen}; ${problems.join('; ')}`, fix: 'a field is not kept or not searchable as written: adapt src/crmcom/crmcom.wire.ts (and the parsers) to what CRM.COM keeps' });

  // 2. Its wallet: the connector creates the primary account when CRM.COM does not.
  let walletId: string | null = null;
  try {
    const accounts = await crm.listAccounts(contactId);
    const created = accounts.some((a) => a.isPrimary) ? null : await crm.createPrimaryAccount(contactId, currency);
    walletId = (await crm.getContact(contactId)).walletId;
    row('write.wallet', 'Test contact has a wallet', 'a primary account (created when CRM.COM did not) and contact.wallet.id', walletId
      ? { verdict: 'PASS', seen: `${created ? `primary account ${created} created` : 'primary account made by CRM.COM'}; wallet ${walletId}` }
      : { verdict: 'FAIL', seen: `${created ? `primary account ${created} created` : 'primary account present'}, but the contact shows no wallet`, fix: 'check the tenant creates a wallet with the primary account (include_wallet=true)' });
  } catch (err) {
    row('write.wallet', 'Test contact has a wallet', 'a primary account and contact.wallet.id', { verdict: 'FAIL', seen: describeError(err), fix: 'compare primaryAccountToWire in src/crmcom/crmcom.wire.ts with what CRM.COM wants' });
  }

  // 3. A purchase, read back by its reference.
  const purchaseRef = `preflight:${app}:order:${stamp}`;
  const purchaseExpected = `POST /purchases with reference ${purchaseRef}; GET /purchases?reference_number= answers it alone, same total`;
  try {
    const purchaseId = await crm.createPurchase({
      referenceNumber: purchaseRef,
      contactId,
      currency,
      dateEpochSeconds: Math.floor(started.getTime() / 1000),
      totalMinor: TEST_AMOUNT_MINOR,
      products: [{ sku: 'preflight', name: 'Preflight test item', quantity: 1, totalMinor: TEST_AMOUNT_MINOR }],
    });
    const back = await crm.findPurchasesByReference(purchaseRef);
    const mine = back.find((p) => p.id === purchaseId);
    row('write.purchase', 'Test purchase read back by reference', purchaseExpected,
      back.length === 1 && mine && mine.totalMinor === TEST_AMOUNT_MINOR
        ? { verdict: 'PASS', seen: `purchase ${purchaseId} read back by its reference` }
        : { verdict: 'FAIL', seen: `purchase ${purchaseId}; by reference: ${back.length} found${mine ? `, total ${String(mine.totalMinor)}` : ', not this one'}`, fix: 'references do not survive or cannot be searched: a purchase in doubt cannot be proved absent, so it is never resent; ask CRM.COM where the reference is kept' });
  } catch (err) {
    row('write.purchase', 'Test purchase read back by reference', purchaseExpected, { verdict: 'FAIL', seen: describeError(err), fix: 'compare purchaseToWire in src/crmcom/crmcom.wire.ts with what CRM.COM wants' });
  }

  // 4. A wallet credit, read back by reference, then reversed by a debit of the same amount.
  const creditRef = `preflight:${app}:credit:${stamp}`;
  const debitRef = `preflight:${app}:reversal:${stamp}`;
  const journalExpected = `CREDIT ${(TEST_AMOUNT_MINOR / 100).toFixed(2)} ${currency} with reference ${creditRef}, then the reversing DEBIT; each read back from GET /journals?reference_number=`;
  const since = Math.floor(started.getTime() / 1000) - 300;
  const readBack = async (ref: string): Promise<CrmJournal[]> => {
    const found: CrmJournal[] = [];
    for await (const page of crm.journalsPages({ postedOnGte: since, referenceNumber: ref })) found.push(...page.items);
    return found;
  };
  let credited = false;
  try {
    const creditId = await crm.createJournal(contactId, { action: 'CREDIT', amountMinor: TEST_AMOUNT_MINOR, currency, referenceNumber: creditRef, notes: `npm run preflight test credit (reversed by ${debitRef})` });
    credited = true;
    const credit = await readBack(creditRef);
    const debitId = await crm.createJournal(contactId, { action: 'DEBIT', amountMinor: TEST_AMOUNT_MINOR, currency, referenceNumber: debitRef, notes: `npm run preflight: reverses ${creditRef}` });
    credited = false;
    const debit = await readBack(debitRef);
    const ok = (list: CrmJournal[], type: 'CREDIT' | 'DEBIT'): boolean => list.length >= 1 && list.every((j) => j.type === type && j.amountMinor === TEST_AMOUNT_MINOR);
    const seen = `credit ${creditId}: ${credit.length} read back; reversal ${debitId}: ${debit.length} read back${credit[0] ? `; items carry ${credit[0].contactId ? 'contact.id' : 'only wallet.id'}` : ''}`;
    row('write.journal', 'Test journal read back, then reversed', journalExpected,
      ok(credit, 'CREDIT') && ok(debit, 'DEBIT')
        ? { verdict: 'PASS', seen }
        : { verdict: 'FAIL', seen, fix: 'journal references do not survive or cannot be searched: the connector cannot prove a journal in doubt absent, nor recognise its own echoes; ask CRM.COM where the reference is kept' });
  } catch (err) {
    row('write.journal', 'Test journal read back, then reversed', journalExpected, {
      verdict: 'FAIL',
      seen: describeError(err),
      fix: credited
        ? `the test credit of ${(TEST_AMOUNT_MINOR / 100).toFixed(2)} ${currency} stays on test contact ${contactId} (${creditRef}): debit it by hand`
        : 'compare journalToWire in src/crmcom/crmcom.wire.ts with what CRM.COM wants',
    });
  }

  // 5. The test phone is a real-looking number: take it off the contact again.
  try {
    await crm.updateContact(contactId, { phoneNumber: null });
  } catch (err) {
    row('write.cleanup', 'Test phone removed', 'PUT /contacts/:id with phone null', { verdict: 'WARN', seen: describeError(err), fix: `remove the phone from test contact ${contactId} by hand` });
  }
  return rows;
}
