import { createHmac, timingSafeEqual } from 'node:crypto';

/** Constant-time equality of two strings (different lengths compare as different, still in constant time). */
function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  const padded = Buffer.alloc(left.length);
  right.copy(padded, 0, 0, Math.min(right.length, left.length));
  return timingSafeEqual(left, padded) && left.length === right.length;
}

export function signatureOf(secret: string, rawBody: Buffer): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

/**
 * A CRM.COM automation call is authentic when `X-Signature` is the lower-case hex HMAC-SHA256 of the raw body with
 * CRMCOM_WEBHOOK_SECRET, or when it carries the secret itself as a bearer token.
 */
export function webhookAuthentic(secret: string, rawBody: Buffer | undefined, signature: string | undefined, authorization: string | undefined): boolean {
  if (signature !== undefined && rawBody !== undefined) {
    return sameText(signatureOf(secret, rawBody), signature.trim().toLowerCase());
  }
  const bearer = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
  return bearer !== null && sameText(secret, bearer[1].trim());
}
