import nock from 'nock';
import { PepperClient } from '../../src/pepper/pepper.client';
import { pepperErrorFromFailure } from '../../src/pepper/pepper.error';
import { FakeClock } from '../support/fakes/fake-clock';
import { RecordingSleeper } from '../support/fakes/recording-sleeper';
import { useNockWithCapturedLogs } from '../support/upstream/nock-lifecycle';
import { TEST_PEPPER_URL, testConfig } from '../support/upstream/test-config';
import { fixture, keyPaths, undocumentedKeys } from './contract-fixtures';

/**
 * The bodies the Pepper client writes, key for key against the Platform API's request samples (seed 002). A key the
 * connector sends that no sample shows must be listed here with its source, or marked inferred.
 */

useNockWithCapturedLogs();

const AWARD = { _id: 'a1', userId: 'u1', perkId: 'p1', points: { available: 12 }, updatedAt: '2026-01-01T00:00:00.000Z' };

function client(): PepperClient {
  return new PepperClient(testConfig(), new FakeClock(), new RecordingSleeper(), () => 0.5);
}

/** Answers the call with AWARD and hands back the body the client sent. */
function capture(method: 'post' | 'put', path: string): () => unknown {
  let sent: unknown;
  nock(TEST_PEPPER_URL)
    [method](path, (body: unknown) => {
      sent = body;
      return true;
    })
    .reply(200, AWARD);
  return () => sent;
}

describe('Pepper writers against the documented request samples', () => {
  it('grant (POST /pointperks/:perkId/awards, seen in 002) sends only documented keys', async () => {
    const sent = capture('post', '/pointperks/p1/awards');
    await client().grantPoints('p1', 'u1', 5);
    expect(sent()).toEqual({ userId: 'u1', points: 5 });
    // The sample also shows locationId (optional); the connector grants without a location.
    expect(keyPaths(fixture('pepper/award-grant.request.seed002.json'))).toEqual(['locationId', 'points', 'userId']);
    expect(undocumentedKeys(sent(), fixture('pepper/award-grant.request.seed002.json'))).toEqual([]);
  });

  it('redeem (POST /users/:userId/pointawards/:awardId/redeem: the suffix is inferred) sends only documented keys', async () => {
    const sent = capture('post', '/users/u1/pointawards/a1/redeem');
    await client().redeemPoints('u1', 'a1', 3);
    expect(sent()).toEqual({ valueToRedeem: 3 });
    expect(keyPaths(fixture('pepper/award-redeem.request.seed002.json'))).toEqual(['locationId', 'valueToRedeem']);
    expect(undocumentedKeys(sent(), fixture('pepper/award-redeem.request.seed002.json'))).toEqual([]);
  });

  it('update (PUT /pointawards/:awardId: the path is inferred) sends points.available', async () => {
    const sent = capture('put', '/pointawards/a1');
    await client().setAwardPoints('a1', 42);
    expect(sent()).toEqual({ points: { available: 42 } });
    expect(undocumentedKeys(sent(), fixture('pepper/award-update.request.seed002.json'))).toEqual([
      // Not inferred: the sample's `points` was collapsed by the dump, and the Request Body schema printed above it
      // (seed 002 lines 745-750: "object / available / number / The user's current points balance") names `available`.
      'points.available',
    ]);
  });
});

describe('Pepper error body', () => {
  it('reads the documented `{code, message}` into the error', () => {
    const failure = { kind: 'status' as const, status: 422, body: fixture('pepper/error.seed002.json'), retryAfterMs: null };
    const error = pepperErrorFromFailure({ ...failure, method: 'POST', path: '/users', attempts: 1, outcomeUnknown: false }, []);
    expect(error.upstreamCode).toBe('string');
    expect(error.message).toContain('string: string');
  });
});
