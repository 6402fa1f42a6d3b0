import { AppConfig } from '../config/app-config';
import { ConfigValidationError } from '../config/config-error';
import { buildPreflightDeps, formatReport, PreflightDeps, PreflightOptions, runPreflight } from '../preflight';

const USAGE = [
  'usage: npm run preflight [-- --write-test-contact] [--json] [--order-days N]',
  '  checks the connector\'s assumptions against the configured Pepper and CRM.COM (read-only);',
  '  --write-test-contact  also writes one test contact (code preflight-<timestamp>), a test purchase and a test',
  '                        wallet credit, reads them back by reference and reverses the credit',
  '  --json                prints the rows as JSON instead of the table',
  '  --order-days N        how far back to look for ORDER_COMPLETED actions (default 30)',
].join('\n');

export interface PreflightCommandEnv {
  /** the production configuration (loadConfigFromEnvironment); throws ConfigValidationError when invalid */
  loadConfig: () => AppConfig;
  /** tests inject the clients; by default the connector's own, built from the configuration */
  deps?: (config: AppConfig) => PreflightDeps;
}

/** `npm run preflight`: 0 when no check FAILs, 1 when one does (or the configuration is invalid), 2 on bad usage. */
export async function runPreflightCommand(args: string[], env: PreflightCommandEnv, print: (line: string) => void): Promise<number> {
  const options: PreflightOptions = {};
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--write-test-contact') options.writeTestContact = true;
    else if (arg === '--json') json = true;
    else if (arg === '--order-days' && /^\d{1,3}$/.test(args[i + 1] ?? '') && Number(args[i + 1]) > 0) options.orderLookbackDays = Number(args[++i]);
    else {
      print(USAGE);
      return 2;
    }
  }
  let config: AppConfig;
  try {
    config = env.loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigValidationError)) throw err;
    print(err.message);
    return 1;
  }
  const report = await runPreflight((env.deps ?? buildPreflightDeps)(config), options);
  print(json ? JSON.stringify(report, null, 2) : formatReport(report));
  return report.failed ? 1 : 0;
}
