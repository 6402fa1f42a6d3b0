import 'reflect-metadata';
import { Logger, LoggerService } from '@nestjs/common';
import { loadConfigFromEnvironment } from '../config/load-config';
import { runPreflightCommand } from './preflight-command';

// `npm run preflight [-- --write-test-contact] [--json]`: the production configuration (.env, then the environment).
// Retries and sign-in warnings go to stderr, so stdout holds the table (or the JSON) only.
const toStderr = (level: string) => (message: unknown) => process.stderr.write(`${level} ${String(message)}\n`);
const quiet: LoggerService = { log: () => undefined, warn: toStderr('WARN'), error: toStderr('ERROR') };
Logger.overrideLogger(quiet);

runPreflightCommand(process.argv.slice(2), { loadConfig: () => loadConfigFromEnvironment() }, (line) => process.stdout.write(`${line}\n`)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`npm run preflight failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
