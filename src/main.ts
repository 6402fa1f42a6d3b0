import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './bootstrap';
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
  await app.listen(config.port);
  new Logger('Main').log(`connector listening on port ${config.port} (Pepper app ${config.pepper.applicationId})`);
}

main().catch((error: unknown) => {
  process.stderr.write(`The connector could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
