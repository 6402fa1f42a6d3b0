import { Injectable } from '@nestjs/common';

/** The one source of "now", so jobs and clients can be tested with a fake clock. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
  nowMs(): number {
    return this.now().getTime();
  }
}
