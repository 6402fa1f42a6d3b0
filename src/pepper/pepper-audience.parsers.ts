import { arrayOr, asRecord, optionalInteger, optionalString, requiredString, ShapeError, within } from '../upstream/json-shape';
import { PepperMenuProduct, PepperNotificationReceipt, PepperNotificationStatus, PepperSegment } from './pepper-audience.types';

export function parsePepperSegment(raw: unknown): PepperSegment {
  const segment = asRecord(raw, 'segment');
  return {
    id: requiredString(segment, '_id'),
    title: optionalString(segment, 'title') ?? '',
    type: optionalString(segment, 'type'),
    created: optionalString(segment, 'created') ?? optionalString(segment, 'createdAt'),
  };
}

/** A member item `{userId, …}` (design §9). */
export function parseSegmentMember(raw: unknown): string {
  return requiredString(asRecord(raw, 'member'), 'userId');
}

/** The `_id` a create answers with. */
export function parseCreatedPepperId(raw: unknown): string {
  return requiredString(asRecord(raw, 'body'), '_id');
}

export function parsePepperNotification(raw: unknown): PepperNotificationStatus {
  const n = asRecord(raw, 'notification');
  return {
    id: requiredString(n, '_id'),
    status: requiredString(n, 'status'),
    sent: optionalInteger(n, 'sent'),
    failures: optionalInteger(n, 'failures'),
    skipped: optionalInteger(n, 'skipped'),
    errorMessage: optionalString(n, 'errorMessage'),
    title: optionalString(n, 'title'),
    message: optionalString(n, 'message'),
    createdAt: optionalString(n, 'createdAt'),
  };
}

export function parsePepperReceipt(raw: unknown): PepperNotificationReceipt {
  const r = asRecord(raw, 'receipt');
  return {
    notificationId: optionalString(r, 'notificationId') ?? optionalString(r, 'notificationMessageId') ?? requiredString(r, 'notificationId'),
    createdAt: optionalString(r, 'createdAt'),
  };
}

/** `{categories:[{id,title,products:[{id,title,price}]}]}` (design §9, inferred). */
export function parseMenu(raw: unknown): PepperMenuProduct[] {
  const menu = asRecord(raw, 'menu');
  if (!Array.isArray(menu.categories)) throw new ShapeError('no "categories" array');
  return menu.categories.flatMap((rawCategory, c) =>
    within(`categories[${c}]`, () => {
      const category = asRecord(rawCategory, 'category');
      const categoryId = optionalString(category, 'id');
      const categoryTitle = optionalString(category, 'title');
      return arrayOr(category, 'products', []).map((rawProduct, p) =>
        within(`products[${p}]`, () => {
          const product = asRecord(rawProduct, 'product');
          const id = typeof product.id === 'number' ? String(product.id) : requiredString(product, 'id');
          const price = product.price;
          if (price !== undefined && price !== null && typeof price !== 'number' && typeof price !== 'string') {
            throw new ShapeError('"price" must be a number or a decimal string when present');
          }
          return {
            id,
            title: optionalString(product, 'title') ?? id,
            price: price === undefined || price === null ? null : String(price),
            categoryId,
            categoryTitle,
          };
        }),
      );
    }),
  );
}
