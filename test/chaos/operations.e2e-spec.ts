import request from 'supertest';
import { DataSource } from 'typeorm';
import { waitFor } from '../support/harness';
import { settle } from '../support/loyalty';
import { addUsers, startChaosHarness } from '../support/chaos/chaos-harness';
import { ChildConnector, invariantTarget, spawnConnector, startSimulatorsForChild, waitUntilSeeded } from '../support/chaos/child-connector';
import { pendingEvents, queryDb } from '../support/chaos/db';
import { checkInvariants, INVARIANTS, violationsOf } from '../support/chaos/invariants';

const REWARD = { rewardOffers: [{ name: '10% back', percent: 10 }] };
const STACK_TRACE = /\n\s+at \S.*:\d+:\d+\)?/;

describe('chaos: operations (e2e)', () => {
  it('SIGTERM in the middle of a batch exits cleanly, and the next start resumes without losing or repeating an order', async () => {
    let users: string[] = [];
    const setup = await startSimulatorsForChild({ crm: REWARD, seed: (pepper) => (users = addUsers(pepper, 'Term', 4)) });
    let child: ChildConnector | null = null;
    try {
      child = await spawnConnector(setup.env);
      const first = child;
      await waitUntilSeeded(first);

      setup.crm.faults.add({ method: 'POST', path: /^\/purchases$/, fault: { kind: 'delay', ms: 30 } });
      for (let i = 0; i < 40; i++) setup.pepper.completeOrder(users[i % 4], { orderId: `term-${i}`, total: '5.00', items: [] });
      await waitFor(() => expect(setup.crm.purchases().length).toBeGreaterThanOrEqual(8), 30_000, 5);
      const signalledAt = Date.now();
      const exit = await first.kill('SIGTERM');
      expect(Date.now() - signalledAt).toBeLessThan(20_000);
      // Nest re-raises the signal after a graceful close: either a clean exit code or death by the same SIGTERM.
      expect(exit.code === 0 || (exit.code === null && exit.signal === 'SIGTERM')).toBe(true);
      expect(first.stderr()).not.toMatch(STACK_TRACE);
      expect(first.stdout()).not.toMatch(STACK_TRACE);
      expect(first.stderr()).not.toMatch(/Unhandled|TypeError|QueryFailedError|DataSource|SQLITE_MISUSE/);
      // The batch was finished or stopped at a safe point, and its run recorded as such — not left RUNNING.
      expect(await queryDb(setup.databasePath, "SELECT runId, job FROM sync_run WHERE state = 'RUNNING'")).toEqual([]);
      const madeBeforeRestart = setup.crm.purchases().length;

      child = await spawnConnector(setup.env);
      const second = child;
      const target = invariantTarget(setup, second);
      await waitFor(async () => {
        expect(setup.crm.purchases().length).toBeGreaterThanOrEqual(40);
        expect(await pendingEvents(setup.databasePath)).toEqual([]);
      }, 60_000, 250);
      // Fail at once on a duplicate; give the last polls (rewards → Pepper) a few seconds to settle the rest.
      expect(violationsOf(await checkInvariants(target), INVARIANTS.purchaseDuplicate)).toEqual([]);
      await waitFor(async () => expect(await checkInvariants(target)).toEqual([]), 20_000, 250);
      const references = setup.crm.purchases().map((p) => p.referenceNumber);
      expect(new Set(references).size).toBe(40);
      expect(references).toHaveLength(40);
      expect(madeBeforeRestart).toBeGreaterThanOrEqual(8);
      expect(madeBeforeRestart).toBeLessThan(40); // the restart had work left to resume
      expect(second.stderr()).not.toMatch(STACK_TRACE);
    } finally {
      await child?.kill('SIGKILL');
      await setup.close();
    }
  }, 150_000);

  it('the real process refuses to start with an ADMIN_API_TOKEN shorter than 24 characters: exit code 1, the variable named, no value, no stack', async () => {
    const setup = await startSimulatorsForChild({});
    try {
      const child = await spawnConnector({ ...setup.env, ADMIN_API_TOKEN: 'too-short-token-123' }, { waitForHealth: false });
      const exit = await child.exited;
      expect(exit).toEqual({ code: 1, signal: null });
      expect(child.stderr()).toMatch(/ADMIN_API_TOKEN/);
      expect(child.stderr() + child.stdout()).not.toContain('too-short-token-123');
      expect(child.stderr()).not.toMatch(STACK_TRACE);
    } finally {
      await setup.close();
    }
  }, 60_000);

  it('GET /health answers 503 when the database is unreachable', async () => {
    const h = await startChaosHarness();
    try {
      await h.idle();
      await request(h.app.getHttpServer()).get('/health').expect(200);
      await h.app.get(DataSource).destroy();
      const res = await request(h.app.getHttpServer()).get('/health');
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ statusCode: 503 });
    } finally {
      await h.close();
    }
  });

  it("GET /admin/status shows each job's last error (a 401 from either side) and the number of parked events; the next run recovers", async () => {
    let users: string[] = [];
    const h = await startChaosHarness({ seed: (pepper) => (users = addUsers(pepper, 'Status', 2)) });
    try {
      await settle(h);
      h.pepper.emitAction({ type: 'ORDER_COMPLETED', userId: users[0], metadata: { orderId: 'unreadable', total: 'a lot', items: [] } });
      await settle(h);
      h.pepper.faults.add({ method: 'GET', path: /^\/actions$/, times: 1, fault: { kind: 'status', status: 401, body: { message: 'Invalid or missing auth token' } } });
      h.crm.faults.add({ method: 'GET', path: /^\/journals$/, times: 1, fault: { kind: 'status', status: 401, body: { status: 401, message: 'Invalid api key', error: 'UNAUTHORIZED', parameters: [] } } });
      const actionCallsBefore = h.pepper.requests.filter((r) => r.path === '/actions').length;
      await settle(h, 1);
      // A 401 fails the run at once: no retry loop against bad credentials.
      expect(h.pepper.requests.filter((r) => r.path === '/actions').length - actionCallsBefore).toBe(1);

      const failed = (await h.admin.get('/admin/failed-events').expect(200)).body.items;
      let status = (await h.admin.get('/admin/status').expect(200)).body;
      expect(status.jobs['actions-poll']).toMatchObject({ state: 'FAILED', error: expect.stringMatching(/Pepper.*\/actions.*401/) });
      expect(status.jobs['journals-poll']).toMatchObject({ state: 'FAILED', error: expect.stringMatching(/CRM\.COM.*\/journals.*401/) });
      expect(failed).toHaveLength(1);
      expect(status.totals.failedEvents).toBe(1);

      await settle(h, 1);
      status = (await h.admin.get('/admin/status').expect(200)).body;
      expect(status.jobs['actions-poll']).toMatchObject({ state: 'DONE', error: null });
      expect(status.jobs['journals-poll']).toMatchObject({ state: 'DONE', error: null });
      expect(status.totals.failedEvents).toBe(1);
      expect(await checkInvariants(h)).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
