export type QueryValue = string | number | boolean | null | undefined;
export type QueryParams = Record<string, QueryValue>;

/**
 * Builds `?k=v&…` keeping filter keys literal: Pepper reads `when.timestamp.gt`, CRM.COM reads `posted_on[gte]`,
 * and a serializer that bracket-encodes or nests them would make the upstream silently ignore the filter.
 * Null and undefined values are left out.
 */
export function toQueryString(query: QueryParams | undefined): string {
  if (!query) return '';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === null || value === undefined) continue;
    parts.push(`${encodeKey(key)}=${encodeValue(String(value))}`);
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

function encodeKey(key: string): string {
  return encodeURIComponent(key).replace(/%5B/gi, '[').replace(/%5D/gi, ']');
}

function encodeValue(value: string): string {
  // Commas and colons are legal in a query; keeping them makes `type.in=A,B` and ISO times read as sent.
  return encodeURIComponent(value).replace(/%2C/gi, ',').replace(/%3A/gi, ':');
}
