import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './bootstrap';
import { logEvent } from './common/structured-log';
import { StartupRefusedError } from './common/startup-refused';
import { ConfigValidationError } from './config/config-error';
import { loadConfigFromEnvironment } from './config/load-config';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfigFromEnvironment();
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\nSee README.md "Configuration" for every variable.\n`);
      process.exit(1);
    }
    throw error;
  }
  const app = await createApp(config);
  try {
    await app.listen(config.port, config.host);
  } catch (error) {
    // Releases what start-up took (the writer lease) so a corrected start need not wait for it to expire.
    await app.close().catch(() => undefined);
    throw error;
  }
  logEvent(new Logger('Main'), 'started', { host: config.host, port: config.port, pepperApplicationId: config.pepper.applicationId });
}

main().catch((error: unknown) => {
  if (error instanceof StartupRefusedError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`The connector could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
