import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { Harness, startHarness } from '../support/harness';

type Doc = { openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };

/** Every route of the README's admin table, as OpenAPI paths, with the error statuses it produces. */
const ROUTES: Array<[method: string, path: string, errors: number[]]> = [
  ['get', '/admin/status', [401]],
  ['post', '/admin/resync', [400, 401, 409]],
  ['post', '/admin/resync/users/{pepperUserId}', [400, 401, 404]],
  ['get', '/admin/runs/{runId}', [400, 401, 404]],
  ['get', '/admin/links', [400, 401]],
  ['get', '/admin/conflicts', [400, 401]],
  ['post', '/admin/conflicts/{id}/resolve', [400, 401, 404, 409]],
  ['get', '/admin/failed-events', [400, 401]],
  ['post', '/admin/failed-events/{id}/retry', [400, 401, 404, 409]],
  ['post', '/admin/failed-events/retry', [400, 401]],
  ['get', '/admin/writes', [400, 401]],
  ['post', '/admin/writes/{id}/settle', [400, 401, 404, 409]],
  ['get', '/admin/shadow-writes', [400, 401]],
  ['get', '/admin/audit', [400, 401]],
  ['get', '/admin/alerts', [400, 401]],
  ['get', '/admin/segments', [401]],
  ['put', '/admin/segments/{source}', [400, 401]],
  ['get', '/admin/notifications', [400, 401]],
  ['post', '/admin/notifications', [400, 401, 404]],
];

describe('OpenAPI document of the admin API (e2e)', () => {
  let h: Harness;
  let doc: Doc;

  beforeAll(async () => {
    h = await startHarness();
    await h.idle();
    doc = (await h.admin.get('/admin/openapi.json').expect(200)).body as Doc;
  });
  afterAll(() => h.close());

  it('the JSON and the page need the admin token', async () => {
    const server = request(h.app.getHttpServer());
    await server.get('/admin/openapi.json').expect(401);
    await server.get('/admin/docs').expect(401);
    await server.get('/admin/openapi.json').set('Authorization', 'Bearer wrong-token-wrong-token-wrong').expect(401);
    const page = await h.admin.get('/admin/docs').expect(200);
    expect(page.text).toContain('swagger-ui');
    expect(doc.openapi).toMatch(/^3\./);
  });

  it("every route of the README's admin table is in the document", () => {
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Admin API'), readme.indexOf('## Go-live'));
    const routes = section
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .flatMap((line) => [...line.split('|')[1].matchAll(/`(GET|POST|PUT|DELETE) (\/[^`? ]+)[^`]*`/g)].map((m) => [m[1].toLowerCase(), m[2].replace(/:(\w+)/g, '{$1}')]));
    expect(routes.length).toBeGreaterThanOrEqual(ROUTES.length);
    const missing = routes.filter(([method, path]) => !doc.paths[path]?.[method]).map(([method, path]) => `${method} ${path}`);
    expect(missing).toEqual([]);
    for (const [method, path] of ROUTES) expect(routes).toContainEqual([method, path]);
  });

  it.each(ROUTES)('%s %s is documented with its error statuses', (method, path, errors) => {
    const operation = doc.paths[path]?.[method];
    expect(operation).toBeDefined();
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(errors.map(String)));
  });

  it('request bodies and queries come from the DTOs', () => {
    const schemas = (doc as unknown as { components: { schemas: Record<string, { properties: Record<string, { enum?: string[] }>; required?: string[] }> } })
      .components.schemas;
    expect(schemas.ResyncDto.properties.scope.enum).toEqual(['users', 'awards', 'perks', 'segments', 'products', 'all']);
    expect(schemas.ResyncDto.required).toEqual(['scope']);
    expect(schemas.SettleWriteDto.required).toEqual(expect.arrayContaining(['outcome', 'actor']));
    const params = (doc.paths['/admin/alerts'].get as unknown as { parameters: Array<{ name: string; in: string }> }).parameters;
    expect(params.map((p) => p.name)).toEqual(expect.arrayContaining(['limit', 'cursor', 'state', 'kind']));
  });

  it('the documented error statuses are produced', async () => {
    const server = request(h.app.getHttpServer());
    for (const [method, path] of ROUTES) {
      const concrete = path.replace(/\{[^}]+\}/g, '1');
      await (server as unknown as Record<string, (p: string) => request.Test>)[method](concrete).expect(401);
    }
    await h.admin.get('/admin/alerts?limit=0').expect(400);
    await h.admin.post('/admin/resync', { scope: 'everything' }).expect(400);
    await h.admin.get('/admin/runs/no-such-run').expect(404);
    await h.admin.post('/admin/conflicts/999999/resolve', { action: 'ignore' }).expect(404);
    await h.admin.post('/admin/failed-events/999999/retry').expect(404);
    await h.admin.post('/admin/writes/999999/settle', { outcome: 'happened', actor: 'ops' }).expect(404);
    // loyalty is off in this harness (no wallet perk): the reconciliation cannot run
    await h.admin.post('/admin/resync', { scope: 'awards' }).expect(409);
  });
});
