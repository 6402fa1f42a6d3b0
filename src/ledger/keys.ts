/**
 * Every idempotency key and reference the connector writes, built and parsed here only. A key names the movement,
 * not the attempt: every attempt of one write shares it. Pepper-side references carry the application id so that
 * two merchants sharing one CRM.COM never mistake each other's writes for their own.
 */
export type LedgerKey =
  | { kind: 'order'; applicationId: string; orderId: string }
  | { kind: 'action'; applicationId: string; actionId: string }
  | { kind: 'opening'; applicationId: string; pepperUserId: string }
  | { kind: 'opening-sync'; applicationId: string; pepperUserId: string; contactId: string }
  | { kind: 'contact'; applicationId: string; pepperUserId: string }
  | { kind: 'account'; applicationId: string; contactId: string }
  | { kind: 'reconcile'; applicationId: string; runId: string; pepperUserId: string }
  | { kind: 'profile'; applicationId: string; pepperUserId: string; fingerprint: string }
  | { kind: 'journal'; journalId: string }
  | { kind: 'notification'; eventId: string }
  | { kind: 'campaign'; applicationId: string; campaignId: string }
  | { kind: 'segment'; applicationId: string; source: string; generation: number };

export type LedgerKeyKind = LedgerKey['kind'];

export function formatKey(key: LedgerKey): string {
  switch (key.kind) {
    case 'order':
      return `pepper:${key.applicationId}:order:${key.orderId}`;
    case 'action':
      return `pepper:${key.applicationId}:action:${key.actionId}`;
    case 'opening':
      return `pepper:${key.applicationId}:opening:${key.pepperUserId}`;
    case 'opening-sync':
      return `pepper:${key.applicationId}:opening-sync:${key.pepperUserId}:${key.contactId}`;
    case 'contact':
      return `pepper:${key.applicationId}:contact:${key.pepperUserId}`;
    case 'account':
      return `pepper:${key.applicationId}:account:${key.contactId}`;
    case 'reconcile':
      return `pepper:${key.applicationId}:reconcile:${key.runId}:${key.pepperUserId}`;
    case 'profile':
      return `pepper:${key.applicationId}:profile:${key.pepperUserId}:${key.fingerprint}`;
    case 'journal':
      return `crmcom:journal:${key.journalId}`;
    case 'notification':
      return `crmcom:notification:${key.eventId}`;
    case 'campaign':
      return `pepper:${key.applicationId}:campaign:${key.campaignId}`;
    case 'segment':
      return `pepper:${key.applicationId}:segment:${key.source}:${key.generation}`;
  }
}

/**
 * The prefix every key of one kind starts with: the running totals of a flow (points ⇄ money, converted
 * cumulatively) add up the movements whose keys share it.
 */
export function keyPrefix(kind: 'action' | 'opening' | 'order', applicationId: string): string;
export function keyPrefix(kind: 'journal'): string;
export function keyPrefix(kind: 'action' | 'opening' | 'order' | 'journal', applicationId?: string): string {
  return kind === 'journal' ? 'crmcom:journal:' : `pepper:${applicationId}:${kind}:`;
}

/** The key a stored string stands for, or null when it is not one of the connector's. */
export function parseKey(text: string): LedgerKey | null {
  const journal = /^crmcom:journal:(.+)$/.exec(text);
  if (journal) return { kind: 'journal', journalId: journal[1] };
  const notification = /^crmcom:notification:(.+)$/.exec(text);
  if (notification) return { kind: 'notification', eventId: notification[1] };
  const m = /^pepper:([^:]+):(order|action|opening|opening-sync|contact|account|reconcile|profile|campaign|segment):(.+)$/.exec(text);
  if (!m) return null;
  const [, applicationId, kind, rest] = m;
  switch (kind) {
    case 'order':
      return { kind, applicationId, orderId: rest };
    case 'action':
      return { kind, applicationId, actionId: rest };
    case 'opening':
      return { kind, applicationId, pepperUserId: rest };
    case 'contact':
      return { kind, applicationId, pepperUserId: rest };
    case 'account':
      return { kind, applicationId, contactId: rest };
    case 'campaign':
      return { kind, applicationId, campaignId: rest };
    case 'segment': {
      const cut = rest.lastIndexOf(':');
      const generation = Number(rest.slice(cut + 1));
      if (cut <= 0 || !Number.isSafeInteger(generation)) return null;
      return { kind, applicationId, source: rest.slice(0, cut), generation };
    }
    case 'opening-sync':
    case 'reconcile':
    case 'profile': {
      const cut = rest.indexOf(':');
      if (cut <= 0) return null;
      const [first, second] = [rest.slice(0, cut), rest.slice(cut + 1)];
      if (kind === 'opening-sync') return { kind, applicationId, pepperUserId: first, contactId: second };
      if (kind === 'profile') return { kind, applicationId, pepperUserId: first, fingerprint: second };
      return { kind, applicationId, runId: first, pepperUserId: second };
    }
    default:
      return null;
  }
}

/** The inbound event that carries a user's opening balance for one contact (one per user and contact). */
export function openingEventId(pepperUserId: string, contactId: string): string {
  return `opening:${pepperUserId}:${contactId}`;
}
