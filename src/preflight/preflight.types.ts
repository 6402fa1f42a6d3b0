import type { Clock } from '../common/clock';
import type { AppConfig } from '../config/app-config';
import type { CrmComClient } from '../crmcom/crmcom.client';
import type { PepperClient } from '../pepper/pepper.client';
import type { QueryParams } from '../upstream/query-string';

/**
 * PASS: the assumption holds. WARN: the connector copes, but the merchant should know (or there was nothing to check
 * against). FAIL: the connector would go wrong; the exit code is non-zero. SKIP: not run because a check it needs failed.
 */
export type Verdict = 'PASS' | 'WARN' | 'FAIL' | 'SKIP';

/** One row of the preflight table. */
export interface CheckResult {
  /** a stable id, e.g. `crmcom.filter.code` */
  id: string;
  /** what is checked, in a few words */
  check: string;
  expected: string;
  seen: string;
  verdict: Verdict;
  /** what to change when it is not PASS ('' when nothing) */
  fix: string;
}

/** What a check found; the runner adds the id, the title and the expectation. */
export interface Outcome {
  verdict: Verdict;
  seen: string;
  fix?: string;
}

/** A GET that answers the raw JSON body, with the same headers and credentials as the connector's client. */
export interface RawApi {
  get(path: string, query?: QueryParams): Promise<unknown>;
}

export interface CrmRawApi extends RawApi {
  /** whether a back-office user (CRMCOM_USERNAME) is configured */
  readonly jwtEnabled: boolean;
  /** signs in with the configured user (POST /users/authenticate); throws the upstream error when refused */
  login(): Promise<void>;
}

/** Everything the checks use; injectable so tests run them against the simulators. */
export interface PreflightDeps {
  config: AppConfig;
  clock: Clock;
  pepper: PepperClient;
  crm: CrmComClient;
  pepperRaw: RawApi;
  crmRaw: CrmRawApi;
}

export interface PreflightOptions {
  /** also create a test contact, purchase and journal (and reverse the journal) */
  writeTestContact?: boolean;
  /** how far back to look for ORDER_COMPLETED actions; default 30 days */
  orderLookbackDays?: number;
  /** how many of the latest ORDER_COMPLETED actions to read; default 50 */
  orderSample?: number;
}

export interface PreflightReport {
  results: CheckResult[];
  /** true when any row is FAIL */
  failed: boolean;
}
