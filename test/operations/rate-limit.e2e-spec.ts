import request from 'supertest';
import { Harness, startHarness } from '../support/harness';

describe('rate limit on /admin/* (e2e)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ env: { ADMIN_RATE_LIMIT_PER_MINUTE: '5' } });
    await h.idle();
  });
  afterAll(() => h.close());

  it('allows ADMIN_RATE_LIMIT_PER_MINUTE requests per address across the admin API, then answers 429 with Retry-After', async () => {
    const server = () => request(h.app.getHttpServer());
    await h.admin.get('/admin/status').expect(200);
    await h.admin.get('/admin/links').expect(200);
    await h.admin.get('/admin/alerts').expect(200);
    await h.admin.post('/admin/resync', { scope: 'nothing' }).expect(400);
    // a request without the token counts too (guessing tokens is limited)
    await server().get('/admin/conflicts').expect(401);
    const limited = await h.admin.get('/admin/status').expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body).toMatchObject({ statusCode: 429 });
    await server().get('/admin/audit').expect(429);
    // other routes are not limited
    for (let i = 0; i < 3; i++) await server().get('/health').expect(200);
    await server().get('/health/live').expect(200);
  });
});
