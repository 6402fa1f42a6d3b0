import {
  crmCredentials,
  crmFilterCode,
  crmFilterEmail,
  crmFilterJournalEntity,
  crmFilterJournalPostedOn,
  crmFilterJournalReference,
  crmFilterPhone,
  crmFilterPurchaseReference,
  crmJournalShape,
  crmJwtLogin,
  crmPaging,
  crmPhoneShape,
  crmContactListOrder,
  crmListedWalletBalance,
} from './crmcom-checks';
import { pepperCredentials, pepperOrderMetadata, pepperPaging, pepperWalletPerk } from './pepper-checks';
import { CheckResult, Outcome, PreflightDeps, PreflightOptions, PreflightReport } from './preflight.types';
import { PreflightSession, describeError } from './preflight-session';
import { runWriteTest } from './write-test';

interface CheckDef {
  id: string;
  check: string;
  expected: string;
  /** ids of checks that must PASS or WARN first; otherwise this one is SKIP */
  needs: string[];
  run: (s: PreflightSession, o: Required<PreflightOptions>) => Promise<Outcome>;
}

const PEPPER = ['pepper.credentials'];
const CRM = ['crmcom.jwt', 'crmcom.credentials'];

/** The read-only checks, in the order of the table. */
export const CHECKS: CheckDef[] = [
  {
    id: 'pepper.credentials',
    check: 'Pepper credentials and API version',
    expected: 'GET /users?limit=1 answers with the token, x-application-id and x-api-version; users carry "id" (v4+)',
    needs: [],
    run: pepperCredentials,
  },
  { id: 'pepper.paging', check: 'Pepper paging', expected: '"page" (with nextKey while more) on users and actions', needs: PEPPER, run: pepperPaging },
  {
    id: 'pepper.wallet-perk',
    check: 'Perk catalogue and wallet perk',
    expected: 'WALLET_PERK_ID names an enabled PSEUDO_CURRENCY perk, or exactly one such perk exists',
    needs: PEPPER,
    run: pepperWalletPerk,
  },
  {
    id: 'pepper.order-metadata',
    check: 'ORDER_COMPLETED metadata',
    expected: 'the latest orders read with the order mapper: orderId, total (major units, ≤ ORDER_MAX_TOTAL), currency, items',
    needs: PEPPER,
    run: (s, o) => pepperOrderMetadata(s, o.orderLookbackDays, o.orderSample),
  },
  {
    id: 'crmcom.jwt',
    check: 'CRM.COM user login (JWT)',
    expected: 'POST /users/authenticate signs in when CRMCOM_USERNAME is set',
    needs: [],
    run: crmJwtLogin,
  },
  {
    id: 'crmcom.credentials',
    check: 'CRM.COM api_key and base URL',
    expected: 'GET /contacts?size=1 answers a list at CRMCOM_API_URL',
    needs: ['crmcom.jwt'],
    run: crmCredentials,
  },
  { id: 'crmcom.paging', check: 'CRM.COM paging', expected: 'content[] and paging.has_more on contacts, purchases and journals', needs: CRM, run: crmPaging },
  {
    id: 'crmcom.phone-shape',
    check: 'Contact phone shape',
    expected: 'phone{type, country_code (ISO-3), number (national)}, as documented',
    needs: CRM,
    run: crmPhoneShape,
  },
  {
    id: 'crmcom.contact-list-order',
    check: 'Contact list newest first (the seed\'s contact index)',
    expected: 'sort=CREATED_DATE&order=DESC answers contacts with an integer created_date, newest first',
    needs: CRM,
    run: crmContactListOrder,
  },
  {
    id: 'crmcom.listed-wallet-balance',
    check: "Contact list's wallet balance (matched users' opening balances)",
    expected: 'a contact listed with include_wallet=true shows wallet.total_balance equal to GET /wallets/:id, or no balance',
    needs: CRM,
    run: crmListedWalletBalance,
  },
  {
    id: 'crmcom.filter.code',
    check: 'Filter: contacts by code',
    expected: 'code=<a contact\'s code> answers it (only matching ones); code=<nothing> answers []',
    needs: CRM,
    run: crmFilterCode,
  },
  {
    id: 'crmcom.filter.email',
    check: 'Filter: contacts by email_address',
    expected: 'email_address=<a contact\'s email> answers it (only matching ones); an unused address answers []',
    needs: CRM,
    run: crmFilterEmail,
  },
  {
    id: 'crmcom.filter.phone',
    check: 'Filter: contacts by phone_number',
    expected: 'phone_number in the forms the connector sends (national, then E.164): one finds a contact by its phone, none answers another phone; an unused number answers []',
    needs: CRM,
    run: crmFilterPhone,
  },
  {
    id: 'crmcom.filter.purchase-reference',
    check: 'Filter: purchases by reference_number',
    expected: 'reference_number=<a purchase\'s reference> answers it (only matching ones); an unused reference answers []',
    needs: CRM,
    run: crmFilterPurchaseReference,
  },
  {
    id: 'crmcom.filter.journal-reference',
    check: 'Filter: journals by reference_number',
    expected: 'reference_number=<a journal\'s reference> answers it (only matching ones); an unused reference answers []',
    needs: CRM,
    run: crmFilterJournalReference,
  },
  {
    id: 'crmcom.filter.journal-posted-on',
    check: 'Filter: journals by posted_on[gte]',
    expected: 'epoch seconds, inclusive: a bound in the future answers []; the newest journal\'s time answers it and nothing older',
    needs: CRM,
    run: crmFilterJournalPostedOn,
  },
  {
    id: 'crmcom.filter.journal-entity',
    check: 'Filter: journals by entity',
    expected: 'entity=WALLET answers wallet journals only; an entity that does not exist answers [] (or is refused)',
    needs: CRM,
    run: crmFilterJournalEntity,
  },
  {
    id: 'crmcom.journal-shape',
    check: 'Wallet journal items',
    expected: 'id, type CREDIT|DEBIT, transaction_type, amount, currency, posted_on, reference_number, purchase_id, contact.id (or wallet.id)',
    needs: CRM,
    run: crmJournalShape,
  },
];

const DEFAULTS: Required<PreflightOptions> = { writeTestContact: false, orderLookbackDays: 30, orderSample: 50 };

/**
 * Runs every check against the configured APIs and answers the table's rows. A check that throws is a FAIL with the
 * error; a check whose prerequisite failed is SKIP. Read-only unless `writeTestContact`.
 */
export async function runPreflight(deps: PreflightDeps, options: PreflightOptions = {}): Promise<PreflightReport> {
  const opts = { ...DEFAULTS, ...options };
  const session = new PreflightSession(deps);
  const results: CheckResult[] = [];
  const verdictOf = new Map<string, string>();
  const blocked = (needs: string[]): string | undefined => needs.find((id) => verdictOf.get(id) === 'FAIL' || verdictOf.get(id) === 'SKIP');

  for (const def of CHECKS) {
    const blocker = blocked(def.needs);
    let outcome: Outcome;
    if (blocker) {
      outcome = { verdict: 'SKIP', seen: `not run: ${blocker} did not pass`, fix: `fix ${blocker} first` };
    } else {
      try {
        outcome = await def.run(session, opts);
      } catch (err) {
        outcome = { verdict: 'FAIL', seen: describeError(err), fix: fixForError(def.id) };
      }
    }
    verdictOf.set(def.id, outcome.verdict);
    results.push({ id: def.id, check: def.check, expected: def.expected, seen: outcome.seen, verdict: outcome.verdict, fix: outcome.fix ?? '' });
  }

  if (opts.writeTestContact) {
    const blocker = blocked(CRM);
    if (blocker) {
      results.push({ id: 'write.contact', check: 'Write test', expected: 'a test contact, purchase and journal', seen: `not run: ${blocker} did not pass`, verdict: 'SKIP', fix: `fix ${blocker} first` });
    } else {
      try {
        for (const row of await runWriteTest(session)) results.push({ id: row.id, check: row.check, expected: row.expected, ...row.outcome, fix: row.outcome.fix ?? '' });
      } catch (err) {
        results.push({ id: 'write.error', check: 'Write test', expected: 'a test contact, purchase and journal', seen: describeError(err), verdict: 'FAIL', fix: 'see the error; the test records are named preflight-…' });
      }
    }
  }
  return { results, failed: results.some((r) => r.verdict === 'FAIL') };
}

function fixForError(id: string): string {
  if (id === 'pepper.credentials') return 'check PEPPER_API_URL, PEPPER_AUTH_TOKEN, PEPPER_APPLICATION_ID and PEPPER_API_VERSION';
  if (id === 'crmcom.credentials') return 'check CRMCOM_API_URL (…/backoffice/v2) and CRMCOM_API_KEY (the secret key; its user role must allow the calls)';
  return 'see the error: the call the connector relies on does not answer as assumed';
}
