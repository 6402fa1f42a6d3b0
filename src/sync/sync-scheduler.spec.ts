import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { RunStore } from '../persistence/stores/run.store';
import { testConfig } from '../../test/support/upstream/test-config';
import { JobRunner, RunContext } from '../core/job-runner';
import type { SyncJobs } from './sync-jobs';
import type { ModeSwitch } from './mode-switch';
import { SyncScheduler } from './sync-scheduler';
import type { LoyaltyStatus } from '../loyalty/flows/loyalty-status';
import type { UsersSeedJob } from '../customers/users-seed.job';

// The runner logs run summaries; the assertions read the recorded runs instead.
beforeAll(() => Logger.overrideLogger(false));
afterAll(() => Logger.overrideLogger(['log', 'warn', 'error']));

/** Run records kept in memory. */
function fakeRunStore(): RunStore {
  let n = 0;
  return {
    start: async () => ({ runId: `run-${++n}` }),
    finish: async () => undefined,
    abandonRunning: async () => 0,
    get: async () => ({ state: 'DONE' }),
  } as unknown as RunStore;
}

const fakeLoyalty = () => ({ restore: async () => undefined }) as unknown as LoyaltyStatus;
const fakeModeSwitch = () => ({ apply: async () => undefined }) as unknown as ModeSwitch;

describe('SyncScheduler', () => {
  afterEach(() => jest.useRealTimers());

  it('ticks the actions poll every interval and starts the seed on a first start', async () => {
    jest.useFakeTimers();
    const ticks: string[] = [];
    const seeds: string[] = [];
    const jobs = { tick: async (job: string) => (ticks.push(job), null), startUsersSeed: async (t: string) => seeds.push(t), startPerksSync: async () => ({ runId: 'perks', done: Promise.resolve() }) } as unknown as SyncJobs;
    const seed = { isComplete: async () => false } as unknown as UsersSeedJob;
    const registry = new SchedulerRegistry();
    const config = testConfig({ schedulerEnabled: true, pepper: { pollIntervalSeconds: 60 } });
    const scheduler = new SyncScheduler(config, registry, jobs, seed, fakeRunStore(), fakeLoyalty(), fakeModeSwitch());
    await scheduler.onApplicationBootstrap();
    await scheduler.ready; // the startup chain: perks first, then the seed
    expect(seeds).toEqual(['STARTUP']);

    jest.advanceTimersByTime(3 * 60_000);
    expect(ticks.filter((j) => j === 'actions-poll')).toHaveLength(3);
    jest.advanceTimersByTime(60 * 60_000);
    expect(ticks.filter((j) => j === 'actions-sweep')).toHaveLength(1);

    scheduler.onApplicationShutdown();
    const before = ticks.length;
    jest.advanceTimersByTime(10 * 60_000);
    expect(ticks.length).toBe(before);
  });

  it('runs the actions poll again as soon as a run that overran its interval ends, not an interval later', async () => {
    jest.useFakeTimers();
    const ticks: number[] = [];
    let finishRun!: () => void;
    let running = false;
    const jobs = {
      tick: async (job: string) => {
        if (job !== 'actions-poll') return null;
        if (running) return null; // skipped: the run is still going
        running = true;
        ticks.push(Date.now());
        return { runId: `poll-${ticks.length}`, done: new Promise<void>((done) => (finishRun = () => ((running = false), done()))) };
      },
      startUsersSeed: async () => undefined,
      startPerksSync: async () => ({ runId: 'perks', done: Promise.resolve() }),
    } as unknown as SyncJobs;
    const seed = { isComplete: async () => true } as unknown as UsersSeedJob;
    const config = testConfig({ schedulerEnabled: true, pepper: { pollIntervalSeconds: 5 } });
    const scheduler = new SyncScheduler(config, new SchedulerRegistry(), jobs, seed, fakeRunStore(), fakeLoyalty(), fakeModeSwitch());
    await scheduler.onApplicationBootstrap();
    await scheduler.ready;
    const start = Date.now();

    await jest.advanceTimersByTimeAsync(5_000); // first run starts
    await jest.advanceTimersByTimeAsync(2_000);
    finishRun(); // ends within its interval: the next starts on the next tick
    await jest.advanceTimersByTimeAsync(3_000); // second run starts at 10 s
    await jest.advanceTimersByTimeAsync(7_000); // the 15 s tick finds it running
    finishRun(); // ends at 17 s, an interval overrun
    await jest.advanceTimersByTimeAsync(0);
    expect(ticks.map((t) => t - start)).toEqual([5_000, 10_000, 17_000]);
    finishRun();
    await jest.advanceTimersByTimeAsync(3_000); // a run that did not overrun waits for its tick again (20 s)
    expect(ticks.map((t) => t - start)).toEqual([5_000, 10_000, 17_000, 20_000]);
    scheduler.onApplicationShutdown();
  });

  it('starts no interval when the scheduler is disabled, and no seed once seeded', async () => {
    jest.useFakeTimers();
    const ticks: string[] = [];
    const seeds: string[] = [];
    const jobs = { tick: async (job: string) => (ticks.push(job), null), startUsersSeed: async (t: string) => seeds.push(t), startPerksSync: async () => ({ runId: 'perks', done: Promise.resolve() }) } as unknown as SyncJobs;
    const seed = { isComplete: async () => true } as unknown as UsersSeedJob;
    const registry = new SchedulerRegistry();
    const scheduler = new SyncScheduler(testConfig({ schedulerEnabled: false }), registry, jobs, seed, fakeRunStore(), fakeLoyalty(), fakeModeSwitch());
    await scheduler.onApplicationBootstrap();
    // The seed decision is taken at the end of the start-up chain: assert only once it has run.
    await scheduler.ready;
    jest.advanceTimersByTime(24 * 60 * 60_000);
    expect(ticks).toEqual([]);
    expect(seeds).toEqual([]);
  });
});

describe('JobRunner', () => {
  it('never runs a job twice at once, and records counts', async () => {
    const finished: Array<{ state: string; counts: Record<string, number> }> = [];
    const finish = async (_: string, state: string, counts: Record<string, number>) => finished.push({ state, counts });
    const runs = { ...fakeRunStore(), finish } as unknown as RunStore;
    const runner = new JobRunner(runs);
    let release!: () => void;
    const first = await runner.start('actions-poll', 'SCHEDULE', async (ctx: RunContext) => {
      ctx.add('seen', 2);
      await new Promise<void>((r) => (release = r));
    });
    await expect(runner.start('actions-poll', 'ADMIN', async () => undefined)).rejects.toThrow('already running');
    expect(await runner.startIfIdle('actions-poll', 'SCHEDULE', async () => undefined)).toBeNull();
    release();
    await first.done;
    expect(finished).toEqual([{ state: 'DONE', counts: { seen: 2 } }]);
    expect(runner.isRunning('actions-poll')).toBe(false);
  });

  it('records a failed run with its error and lets the next one start', async () => {
    const finished: Array<{ state: string; error: string | null }> = [];
    const finish = async (_: string, state: string, __: unknown, error: string | null) => finished.push({ state, error });
    const runs = { ...fakeRunStore(), finish } as unknown as RunStore;
    const runner = new JobRunner(runs);
    await (await runner.start('users-seed', 'ADMIN', async () => Promise.reject(new Error('Pepper GET /users answered 401')))).done;
    expect(finished).toEqual([{ state: 'FAILED', error: 'Pepper GET /users answered 401' }]);
    await expect(runner.start('users-seed', 'ADMIN', async () => undefined)).resolves.toMatchObject({ runId: expect.any(String) });
  });

  it('a run stuck past JOB_WATCHDOG_MINUTES is told to stop and gives its slot up; its late end does not free the new run', async () => {
    jest.useFakeTimers();
    try {
      const finished: string[] = [];
      const finish = async (runId: string, state: string) => finished.push(`${runId} ${state}`);
      const runs = { ...fakeRunStore(), finish } as unknown as RunStore;
      const runner = new JobRunner(runs, undefined, undefined, testConfig({ jobWatchdogMinutes: 1 }));
      let releaseHung!: () => void;
      let sawStop = false;
      const hung = await runner.start('actions-poll', 'SCHEDULE', async (ctx) => {
        await new Promise<void>((r) => (releaseHung = r));
        sawStop = ctx.stopping;
      });
      await jest.advanceTimersByTimeAsync(59_000);
      expect(runner.isRunning('actions-poll')).toBe(true);
      await jest.advanceTimersByTimeAsync(1_000);
      expect(runner.isRunning('actions-poll')).toBe(false);
      let releaseNext!: () => void;
      const next = await runner.start('actions-poll', 'SCHEDULE', () => new Promise<void>((r) => (releaseNext = r)));
      releaseHung();
      await hung.done;
      expect(sawStop).toBe(true);
      expect(runner.isRunning('actions-poll')).toBe(true); // the new run keeps its slot
      releaseNext();
      await next.done;
      expect(finished).toEqual(['run-1 STOPPED', 'run-2 DONE']);
    } finally {
      jest.useRealTimers();
    }
  });

  it('the seed has no watchdog: it grows with the merchant', async () => {
    jest.useFakeTimers();
    try {
      const runner = new JobRunner(fakeRunStore(), undefined, undefined, testConfig({ jobWatchdogMinutes: 1 }));
      let release!: () => void;
      const seed = await runner.start('users-seed', 'STARTUP', () => new Promise<void>((r) => (release = r)));
      await jest.advanceTimersByTimeAsync(10 * 60_000);
      expect(runner.isRunning('users-seed')).toBe(true);
      release();
      await seed.done;
    } finally {
      jest.useRealTimers();
    }
  });
});
