import type { PepperAction } from '../../pepper/pepper.types';
import { mapOrderToPurchase, OrderMappingContext, OrderMappingResult } from './order-mapper';

const ctx: OrderMappingContext = {
  applicationId: 'app1',
  currency: 'EUR',
  contactId: 'contact-1',
  locationOrganisations: { loc1: 'org-1' },
};

function order(metadata: Record<string, unknown>, overrides: Partial<PepperAction> = {}): PepperAction {
  return {
    id: 'act-1',
    type: 'ORDER_COMPLETED',
    timestamp: '2024-05-01T10:00:00.750Z',
    userId: 'usr-1',
    locationId: 'loc1',
    metadata,
    raw: {},
    ...overrides,
  };
}

const goodMetadata = {
  orderId: 'ord-42',
  total: 12.5,
  currency: 'EUR',
  items: [
    { productId: 'p1', title: 'Latte', quantity: 2, price: '6.25' },
  ],
};

function purchaseOf(result: OrderMappingResult) {
  if (!result.ok) throw new Error(`expected a purchase, got: ${result.reason}`);
  return result.purchase;
}

function reasonOf(result: OrderMappingResult): string {
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.purchase)}`);
  return result.reason;
}

describe('mapOrderToPurchase', () => {
  describe('a good order', () => {
    it('maps every field', () => {
      expect(mapOrderToPurchase(order(goodMetadata), ctx)).toEqual({
        ok: true,
        purchase: {
          referenceNumber: 'pepper:app1:order:ord-42',
          contactId: 'contact-1',
          organisationId: 'org-1',
          currency: 'EUR',
          dateEpochSeconds: Date.UTC(2024, 4, 1, 10, 0, 0) / 1000,
          totalMinor: 1250,
          netMinor: null,
          taxMinor: null,
          products: [{ sku: 'p1', name: 'Latte', quantity: 2, totalMinor: 1250 }],
        },
      });
    });

    it('reads number and string amounts exactly (19.99 → 1999)', () => {
      const fromNumber = purchaseOf(
        mapOrderToPurchase(order({ ...goodMetadata, total: 19.99, items: [{ productId: 'a', title: 'A', quantity: 1, price: 19.99 }] }), ctx),
      );
      const fromString = purchaseOf(
        mapOrderToPurchase(order({ ...goodMetadata, total: '19.99', items: [{ productId: 'a', title: 'A', quantity: 1, price: '19.99' }] }), ctx),
      );
      expect(fromNumber.totalMinor).toBe(1999);
      expect(fromNumber.products[0].totalMinor).toBe(1999);
      expect(fromString).toEqual(fromNumber);
    });

    it('multiplies in integers: 3 × 0.1 is exactly 30', () => {
      const purchase = purchaseOf(
        mapOrderToPurchase(order({ ...goodMetadata, total: 0.3, items: [{ productId: 'x', title: 'X', quantity: 3, price: 0.1 }] }), ctx),
      );
      expect(purchase.products[0].totalMinor).toBe(30);
      expect(purchase.totalMinor).toBe(30);
    });

    it('accepts a numeric order id and product id, and upper-cases the currency', () => {
      const purchase = purchaseOf(
        mapOrderToPurchase(order({ orderId: 1234, total: '5', currency: ' eur ', items: [{ productId: 77, title: 'Muffin', quantity: 1, price: 5 }] }), ctx),
      );
      expect(purchase.referenceNumber).toBe('pepper:app1:order:1234');
      expect(purchase.products[0].sku).toBe('77');
    });

    it('trims the title and cuts it to 200 characters', () => {
      const longTitle = `  ${'é'.repeat(250)}  `;
      const purchase = purchaseOf(
        mapOrderToPurchase(order({ ...goodMetadata, items: [{ productId: 'p', title: longTitle, quantity: 1, price: 1 }] }), ctx),
      );
      expect(purchase.products[0].name).toBe('é'.repeat(200));
    });

    it('never splits an astral character when cutting a title', () => {
      const title = `${'a'.repeat(199)}😀tail`;
      const purchase = purchaseOf(
        mapOrderToPurchase(order({ ...goodMetadata, items: [{ productId: 'p', title, quantity: 1, price: 1 }] }), ctx),
      );
      expect(purchase.products[0].name).toBe('a'.repeat(199));
    });

    it('floors the timestamp to whole seconds', () => {
      const purchase = purchaseOf(mapOrderToPurchase(order(goodMetadata, { timestamp: '1970-01-01T00:00:01.999Z' }), ctx));
      expect(purchase.dateEpochSeconds).toBe(1);
    });

    it('accepts a free item (price 0) and a zero total', () => {
      const purchase = purchaseOf(
        mapOrderToPurchase(order({ ...goodMetadata, total: 0, items: [{ productId: 'p', title: 'Free', quantity: 2, price: '0.00' }] }), ctx),
      );
      expect(purchase.totalMinor).toBe(0);
      expect(purchase.products[0].totalMinor).toBe(0);
    });
  });

  describe('partial metadata', () => {
    it('maps an order with no items to a purchase without product lines', () => {
      expect(purchaseOf(mapOrderToPurchase(order({ orderId: 'o1', total: 3 }), ctx)).products).toEqual([]);
      expect(purchaseOf(mapOrderToPurchase(order({ orderId: 'o1', total: 3, items: [] }), ctx)).products).toEqual([]);
    });

    it('takes a missing currency to be the configured one', () => {
      const purchase = purchaseOf(mapOrderToPurchase(order({ orderId: 'o1', total: 3 }), ctx));
      expect(purchase.currency).toBe('EUR');
    });

    it('names a line after its sku when the title is missing or blank', () => {
      const purchase = purchaseOf(
        mapOrderToPurchase(
          order({
            ...goodMetadata,
            items: [
              { productId: 'sku-1', quantity: 1, price: 1 },
              { productId: 'sku-2', title: '   ', quantity: 1, price: 1 },
            ],
          }),
          ctx,
        ),
      );
      expect(purchase.products.map((p) => p.name)).toEqual(['sku-1', 'sku-2']);
    });
  });

  describe('location → organisation', () => {
    it('uses the mapped organisation', () => {
      expect(purchaseOf(mapOrderToPurchase(order(goodMetadata), ctx)).organisationId).toBe('org-1');
    });

    it('sends no organisation for an unmapped or missing location', () => {
      expect(purchaseOf(mapOrderToPurchase(order(goodMetadata, { locationId: 'loc9' }), ctx)).organisationId).toBeNull();
      expect(purchaseOf(mapOrderToPurchase(order(goodMetadata, { locationId: null }), ctx)).organisationId).toBeNull();
    });

    it('does not pick up Object.prototype properties as organisations', () => {
      expect(purchaseOf(mapOrderToPurchase(order(goodMetadata, { locationId: 'constructor' }), ctx)).organisationId).toBeNull();
      expect(purchaseOf(mapOrderToPurchase(order(goodMetadata, { locationId: '__proto__' }), ctx)).organisationId).toBeNull();
    });
  });

  describe('malformed orders', () => {
    it.each<[string, Record<string, unknown>, RegExp]>([
      ['missing orderId', { total: 1 }, /metadata\.orderId is missing/],
      ['blank orderId', { orderId: '  ', total: 1 }, /metadata\.orderId must not be empty/],
      ['fractional orderId', { orderId: 1.5, total: 1 }, /metadata\.orderId must be a string or a whole number, got 1\.5/],
      ['object orderId', { orderId: { id: 1 }, total: 1 }, /metadata\.orderId must be a string or a whole number/],
      ['orderId with a newline', { orderId: 'a\nb', total: 1 }, /metadata\.orderId must not contain control characters/],
      ['missing total', { orderId: 'o', items: [] }, /metadata\.total is missing/],
      ['negative total', { orderId: 'o', total: -1 }, /metadata\.total must not be negative, got -1/],
      ['negative string total', { orderId: 'o', total: '-0.01' }, /metadata\.total must not be negative, got "-0\.01"/],
      ['non-numeric total', { orderId: 'o', total: 'twelve' }, /metadata\.total must be a decimal amount.*got "twelve"/],
      ['total with three decimals', { orderId: 'o', total: '1.005' }, /metadata\.total must be a decimal amount/],
      ['boolean total', { orderId: 'o', total: true }, /metadata\.total must be a decimal amount.*got true/],
      ['items not an array', { orderId: 'o', total: 1, items: { productId: 'p' } }, /metadata\.items must be an array/],
      ['items a string', { orderId: 'o', total: 1, items: 'p1,p2' }, /metadata\.items must be an array, got "p1,p2"/],
      ['a line not an object', { orderId: 'o', total: 1, items: [5] }, /metadata\.items\[0\] must be an object, got 5/],
      ['a line without productId', { orderId: 'o', total: 1, items: [{ quantity: 1, price: 1 }] }, /metadata\.items\[0\]\.productId is missing/],
      ['a blank productId', { orderId: 'o', total: 1, items: [{ productId: ' ', quantity: 1, price: 1 }] }, /metadata\.items\[0\]\.productId must not be empty/],
      ['a non-string title', { orderId: 'o', total: 1, items: [{ productId: 'p', title: 5, quantity: 1, price: 1 }] }, /metadata\.items\[0\]\.title must be a string, got 5/],
      ['a line without price', { orderId: 'o', total: 1, items: [{ productId: 'p', quantity: 1 }] }, /metadata\.items\[0\]\.price is missing/],
      ['a negative price', { orderId: 'o', total: 1, items: [{ productId: 'p', quantity: 1, price: '-2' }] }, /metadata\.items\[0\]\.price must not be negative/],
      ['an unknown currency type', { orderId: 'o', total: 1, currency: 978 }, /metadata\.currency must be a currency code, got 978/],
    ])('refuses %s', (_name, metadata, reason) => {
      expect(reasonOf(mapOrderToPurchase(order(metadata), ctx))).toMatch(reason);
    });

    it.each<[unknown, string]>([
      [-1, '-1'],
      [0, '0'],
      [1.5, '1.5'],
      ['2', '"2"'],
      [undefined, 'nothing'],
      [Number.NaN, 'NaN'],
      [2 ** 53, String(2 ** 53)],
    ])('refuses quantity %p and names the line', (quantity, shown) => {
      const metadata = {
        orderId: 'o',
        total: 3,
        items: [
          { productId: 'a', quantity: 1, price: 1 },
          { productId: 'b', quantity: 1, price: 1 },
          { productId: 'c', quantity, price: 1 },
        ],
      };
      expect(reasonOf(mapOrderToPurchase(order(metadata), ctx))).toBe(
        `metadata.items[2].quantity must be a positive whole number, got ${shown}`,
      );
    });

    it('refuses an order in another currency, naming both', () => {
      const reason = reasonOf(mapOrderToPurchase(order({ ...goodMetadata, currency: 'gbp' }), ctx));
      expect(reason).toContain('"GBP"');
      expect(reason).toContain('"EUR"');
      expect(reason).toMatch(/^metadata\.currency/);
    });

    it('refuses a line whose total is too large to send exactly', () => {
      const metadata = { orderId: 'o', total: 1, items: [{ productId: 'p', quantity: 2 ** 40, price: '100000' }] };
      expect(reasonOf(mapOrderToPurchase(order(metadata), ctx))).toMatch(/metadata\.items\[0\] total .* too large/);
    });

    it('refuses more than 500 lines', () => {
      const items = Array.from({ length: 501 }, (_, i) => ({ productId: `p${i}`, quantity: 1, price: 1 }));
      expect(reasonOf(mapOrderToPurchase(order({ orderId: 'o', total: 501, items }), ctx))).toBe(
        'metadata.items must have at most 500 lines, got 501',
      );
      const fine = Array.from({ length: 500 }, (_, i) => ({ productId: `p${i}`, quantity: 1, price: 1 }));
      expect(purchaseOf(mapOrderToPurchase(order({ orderId: 'o', total: 500, items: fine }), ctx)).products).toHaveLength(500);
    });

    it('refuses metadata that is not an object, another action type, and a bad timestamp', () => {
      expect(reasonOf(mapOrderToPurchase(order('oops' as unknown as Record<string, unknown>), ctx))).toBe(
        'metadata must be an object, got "oops"',
      );
      expect(reasonOf(mapOrderToPurchase(order(goodMetadata, { type: 'USER_CHANGED' }), ctx))).toMatch(
        /action type must be ORDER_COMPLETED, got "USER_CHANGED"/,
      );
      expect(reasonOf(mapOrderToPurchase(order(goodMetadata, { timestamp: 'yesterday' }), ctx))).toMatch(
        /action timestamp must be an ISO-8601 date/,
      );
    });

    describe('huge and hostile strings', () => {
      const huge = 'x'.repeat(100_000);

      it.each<[string, Record<string, unknown>]>([
        ['orderId', { orderId: huge, total: 1 }],
        ['total', { orderId: 'o', total: huge }],
        ['currency', { orderId: 'o', total: 1, currency: huge }],
        ['items', { orderId: 'o', total: 1, items: huge }],
        ['productId', { orderId: 'o', total: 1, items: [{ productId: huge, quantity: 1, price: 1 }] }],
        ['quantity', { orderId: 'o', total: 1, items: [{ productId: 'p', quantity: huge, price: 1 }] }],
        ['price', { orderId: 'o', total: 1, items: [{ productId: 'p', quantity: 1, price: huge }] }],
      ])('quotes at most 80 characters of a huge %s', (_field, metadata) => {
        // Lower-cased: the currency is quoted upper-cased.
        const reason = reasonOf(mapOrderToPurchase(order(metadata), ctx)).toLowerCase();
        expect(reason).toContain(`${'x'.repeat(80)}…`);
        expect(reason).not.toContain('x'.repeat(81));
        expect(reason.length).toBeLessThan(300);
      });

      it('refuses an orderId over 100 characters and a sku over 100 characters', () => {
        expect(reasonOf(mapOrderToPurchase(order({ orderId: 'o'.repeat(101), total: 1 }), ctx))).toMatch(
          /^metadata\.orderId must be at most 100 characters, got 101/,
        );
        expect(purchaseOf(mapOrderToPurchase(order({ orderId: 'o'.repeat(100), total: 1 }), ctx)).referenceNumber).toBe(
          `pepper:app1:order:${'o'.repeat(100)}`,
        );
        const metadata = { orderId: 'o', total: 1, items: [{ productId: 'p'.repeat(101), quantity: 1, price: 1 }] };
        expect(reasonOf(mapOrderToPurchase(order(metadata), ctx))).toMatch(/^metadata\.items\[0\]\.productId must be at most 100/);
      });

      it('never throws, even on a payload whose getter throws', () => {
        const metadata = {
          orderId: 'o',
          get total(): unknown {
            throw new Error('boom');
          },
        };
        expect(reasonOf(mapOrderToPurchase(order(metadata), ctx))).toBe('order could not be read: boom');
      });
    });
  });
});

describe('mapOrderToPurchase: the plausibility guard', () => {
  it('refuses a total above ORDER_MAX_TOTAL, naming it (a wrong guess of the amount units would buy it a hundred times over)', () => {
    const metadata = { orderId: 'big', total: 1250, items: [] };
    const result = mapOrderToPurchase(order(metadata), { ...ctx, maxTotalMinor: 50_000 });
    expect(result).toEqual({ ok: false, reason: expect.stringContaining('ORDER_MAX_TOTAL') });
    expect(mapOrderToPurchase(order({ ...metadata, total: 500 }), { ...ctx, maxTotalMinor: 50_000 }).ok).toBe(true);
  });
});

