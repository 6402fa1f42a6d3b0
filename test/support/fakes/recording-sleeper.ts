import { Sleeper } from '../../../src/common/sleeper';

/** Records the delays it was asked to wait, and resolves at once. */
export class RecordingSleeper extends Sleeper {
  readonly delays: number[] = [];
  sleep(ms: number): Promise<void> {
    this.delays.push(ms);
    return Promise.resolve();
  }
}
