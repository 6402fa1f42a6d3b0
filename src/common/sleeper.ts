import { Injectable } from '@nestjs/common';

/** Waiting between retries goes through this, so tests can record delays instead of waiting them out. */
@Injectable()
export class Sleeper {
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
}
