import type { SimMenuCategory } from '../packages/simulators/src/pepper/audience-state';
import { Harness, startHarness } from './support/harness';

/** A menu of `count` products from `from`, in categories of 100. */
function menu(from: number, count: number, price = 2.5): SimMenuCategory[] {
  const categories: SimMenuCategory[] = [];
  for (let i = from; i < from + count; i++) {
    const c = Math.floor(i / 100);
    let category = categories.find((x) => x.id === `cat-${c}`);
    if (!category) categories.push((category = { id: `cat-${c}`, title: `Category ${c}`, products: [] }));
    category.products.push({ id: `prd-${String(i).padStart(5, '0')}`, title: `Product ${i}`, price });
  }
  return categories;
}

async function resyncProducts(h: Harness): Promise<Record<string, number>> {
  const started = await h.admin.post('/admin/resync', { scope: 'products', actor: 'e2e' }).expect(202);
  await h.idle();
  const run = await h.admin.get(`/admin/runs/${started.body.runId}`).expect(200);
  expect(run.body.state).toBe('DONE');
  return run.body.counts as Record<string, number>;
}

describe('products Pepper → CRM.COM, legacy synchronise (e2e)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      env: { PRODUCT_LOCATIONS: 'loc-1,loc-2', CRMCOM_PRODUCT_API: 'legacy' },
      seed: (pepper) => {
        // Two locations whose menus overlap by 500 products: 2,500 distinct products.
        pepper.audiences.setMenu('loc-1', menu(0, 1500));
        pepper.audiences.setMenu('loc-2', menu(1000, 1500));
      },
    });
    await h.idle();
  }, 60_000);
  afterAll(() => h.close());

  it('synchronises 2,500 products in three calls, keyed by the Pepper product id', async () => {
    const counts = await resyncProducts(h);
    expect(h.crm.productSynchroniseCalls).toEqual([1000, 1000, 500]);
    const products = h.crm.products();
    expect(products).toHaveLength(2500);
    expect(new Set(products.map((p) => p.sku)).size).toBe(2500);
    expect(products.find((p) => p.sku === 'prd-01234')).toMatchObject({ name: 'Product 1234', category: 'Category 12', price: '2.5', validTo: null });
    expect(counts).toMatchObject({ products: 2500, written: 2500, calls: 3 });
  });

  it('writes nothing on an unchanged re-run', async () => {
    const before = h.crm.requests.filter((r) => r.method !== 'GET').length;
    const counts = await resyncProducts(h);
    expect(h.crm.productSynchroniseCalls).toHaveLength(3);
    expect(h.crm.requests.filter((r) => r.method !== 'GET').length).toBe(before);
    expect(counts).toMatchObject({ unchanged: 2500 });
    expect(counts.written ?? 0).toBe(0);
  });

  it('writes only the changed products, and ends (never deletes) the validity of a product gone from every menu', async () => {
    const loc1 = menu(0, 1500);
    loc1[0].products[0].title = 'Renamed';
    h.pepper.audiences.setMenu('loc-1', loc1);
    h.pepper.audiences.setMenu('loc-2', menu(1000, 1499)); // prd-02499 is gone
    const counts = await resyncProducts(h);
    expect(h.crm.productSynchroniseCalls.slice(3)).toEqual([2]);
    expect(counts).toMatchObject({ written: 2, ended: 1 });
    const products = h.crm.products();
    expect(products).toHaveLength(2500);
    expect(products.find((p) => p.sku === 'prd-00000')?.name).toBe('Renamed');
    expect(products.find((p) => p.sku === 'prd-02499')?.validTo).toEqual(expect.any(Number));
    await resyncProducts(h);
    expect(h.crm.productSynchroniseCalls).toHaveLength(4);
  });

  it('ends nothing when every menu answers empty, and a failed call leaves the products to the next run', async () => {
    h.pepper.audiences.setMenu('loc-1', []);
    h.pepper.audiences.setMenu('loc-2', []);
    const started = await h.admin.post('/admin/resync', { scope: 'products' }).expect(202);
    await h.idle();
    const run = await h.admin.get(`/admin/runs/${started.body.runId}`).expect(200);
    expect(run.body).toMatchObject({ state: 'FAILED' });
    expect(h.crm.products().filter((p) => p.validTo !== null)).toHaveLength(1);

    h.pepper.audiences.setMenu('loc-1', menu(0, 1500, 3));
    h.pepper.audiences.setMenu('loc-2', menu(1000, 1499, 3));
    h.crm.faults.add({ method: 'POST', path: /^\/products\/synchronise$/, fault: { kind: 'status', status: 400, body: { status: 400, message: 'refused', error: null, parameters: null } }, times: 1 });
    const failed = await h.admin.post('/admin/resync', { scope: 'products' }).expect(202);
    await h.idle();
    expect((await h.admin.get(`/admin/runs/${failed.body.runId}`).expect(200)).body.state).toBe('FAILED');
    const counts = await resyncProducts(h);
    expect(counts).toMatchObject({ written: 2499, calls: 3 });
    expect(h.crm.products().every((p) => p.validTo !== null || p.price === '3')).toBe(true);
  });
});

describe('products Pepper → CRM.COM, v5 per-product writes (e2e)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      env: { PRODUCT_LOCATIONS: 'loc-1' },
      seed: (pepper) => pepper.audiences.setMenu('loc-1', menu(0, 30)),
    });
    await h.idle();
  }, 60_000);
  afterAll(() => h.close());

  it('creates each product once, finds a create whose answer was lost by sku, and skips unchanged ones', async () => {
    h.crm.faults.add({ method: 'POST', path: /^\/products$/, fault: { kind: 'lateAnswer', ms: 2500 }, times: 1 });
    const first = await h.admin.post('/admin/resync', { scope: 'products' }).expect(202);
    await h.idle();
    expect((await h.admin.get(`/admin/runs/${first.body.runId}`).expect(200)).body.state).toBe('FAILED');
    await resyncProducts(h);
    expect(h.crm.products()).toHaveLength(30);
    expect(new Set(h.crm.products().map((p) => p.sku)).size).toBe(30);
    // the product whose create answer was lost was found by sku and updated, not created again
    expect(h.crm.products().filter((p) => p.writes === 2)).toHaveLength(1);
    const counts = await resyncProducts(h);
    expect(counts).toMatchObject({ unchanged: 30 });
    expect(h.crm.productSynchroniseCalls).toEqual([]);
  });
});
