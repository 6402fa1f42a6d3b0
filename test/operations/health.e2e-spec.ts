import request from 'supertest';
import { SyncJobs } from '../../src/sync/sync-jobs';
import { FakeClock } from '../support/fakes/fake-clock';
import { Harness, startHarness } from '../support/harness';

describe('health: live and ready (e2e)', () => {
  let h: Harness;
  const clock = new FakeClock(new Date());

  beforeAll(async () => {
    h = await startHarness({
      clock,
      env: { ALERT_FEED_STALL_MINUTES: '30', PEPPER_POLL_INTERVAL_SECONDS: '60' },
      seed: (pepper) => pepper.addUser({ firstName: 'Hal', lastName: 'Health', email: 'hal@demo.example' }, { emitAction: false }),
    });
    await h.idle();
    await (await h.app.get(SyncJobs).startActionsPoll('ADMIN')).done;
  });
  afterAll(() => h.close());

  const server = () => request(h.app.getHttpServer());

  it('live answers 200 without a token; ready is 200 with every check up; /health keeps its meaning', async () => {
    expect((await server().get('/health/live').expect(200)).body).toMatchObject({ status: 'ok', info: { process: { status: 'up' } } });
    const ready = await server().get('/health/ready').expect(200);
    expect(ready.body.info).toMatchObject({ database: { status: 'up' }, migrations: { status: 'up' }, feeds: { status: 'up' }, credentials: { status: 'up' } });
    expect((await server().get('/health').expect(200)).body).toEqual({ status: 'ok', database: 'up' });
  });

  it('ready fails (503, naming the feed) once the actions feed is stalled past ALERT_FEED_STALL_MINUTES, and recovers when it moves', async () => {
    clock.advance((60 + 31 * 60) * 1000);
    const stalled = await server().get('/health/ready').expect(503);
    expect(stalled.body.error.feeds).toMatchObject({ status: 'down', message: expect.stringContaining('pepper.actions') });
    expect(stalled.body.info.database.status).toBe('up');
    await server().get('/health/live').expect(200);

    await (await h.app.get(SyncJobs).startActionsPoll('ADMIN')).done;
    await server().get('/health/ready').expect(200);
  });

  it('ready fails while an upstream rejects the credentials, and recovers when they are accepted again', async () => {
    h.pepper.faults.add({ method: 'GET', path: /^\/actions$/, times: 1, fault: { kind: 'status', status: 401, body: { message: 'bad token' } } });
    clock.advance(120_000);
    await (await h.app.get(SyncJobs).startActionsPoll('ADMIN')).done;
    const rejected = await server().get('/health/ready').expect(503);
    expect(rejected.body.error.credentials).toMatchObject({ status: 'down', message: 'credentials rejected by pepper' });
    clock.advance(120_000);
    await (await h.app.get(SyncJobs).startActionsPoll('ADMIN')).done;
    await (await h.app.get(SyncJobs).startJournalsPoll('ADMIN')).done;
    const back = await server().get('/health/ready');
    expect(back.body.error ?? {}).toEqual({});
    expect(back.status).toBe(200);
  });
});
