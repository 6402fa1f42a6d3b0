export { buildPreflightDeps } from './preflight-deps';
export { CHECKS, runPreflight } from './preflight-runner';
export { formatReport, summaryLine } from './report-table';
export type { CheckResult, PreflightDeps, PreflightOptions, PreflightReport, Verdict } from './preflight.types';
