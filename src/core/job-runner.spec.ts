import type { RunStore } from '../persistence/stores/run.store';
import { JobRunner } from './job-runner';

/** A run store whose `finish` waits until the test lets it through. */
class SlowRunStore {
  finished: string[] = [];
  private release: () => void = () => undefined;
  private readonly gate = new Promise<void>((resolve) => (this.release = resolve));
  async start(): Promise<{ runId: string }> {
    return { runId: 'run-1' };
  }
  async finish(runId: string, state: string): Promise<void> {
    await this.gate;
    this.finished.push(`${runId}:${state}`);
  }
  open(): void {
    this.release();
  }
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('JobRunner', () => {
  it('is idle only once the end of each run is recorded (a caller reading the run then sees it DONE)', async () => {
    const runs = new SlowRunStore();
    const runner = new JobRunner(runs as unknown as RunStore);
    await runner.start('products-sync', 'ADMIN', async () => undefined);
    let idle = false;
    const waiting = runner.idle().then(() => (idle = true));
    for (let i = 0; i < 5; i++) await flush();
    expect(idle).toBe(false); // the work is over, its end not yet recorded
    runs.open();
    await waiting;
    expect(runs.finished).toEqual(['run-1:DONE']);
  });
});
