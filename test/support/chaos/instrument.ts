import { AsyncLocalStorage } from 'node:async_hooks';
import type { NextFunction, Request, Response } from 'express';
import type { CrmComSimulator } from '../../../packages/simulators/src/crmcom';
import type { PepperSimulator } from '../../../packages/simulators/src/pepper/pepper-simulator';

/**
 * Test-side observation of the simulators, installed before they start listening:
 * - which Pepper actions were emitted while serving an HTTP request (the connector's own grants and redeems — the
 *   only Pepper writes it makes that emit actions), so the invariants can tell echoes from real movements without
 *   trusting the connector's own echo matching;
 * - a wall-clock stamp on every recorded request (`at`), to measure waits such as Retry-After.
 */
const connectorActionIds = new WeakMap<PepperSimulator, Set<string>>();

export type StampedRequest = { method: string; path: string; at?: number; headers: Record<string, unknown>; body: unknown };

export function instrumentPepper(pepper: PepperSimulator): void {
  if (connectorActionIds.has(pepper)) return;
  const ids = new Set<string>();
  const insideHttp = new AsyncLocalStorage<true>();
  const makeMiddleware = pepper.faults.middleware.bind(pepper.faults);
  pepper.faults.middleware = () => {
    const inner = makeMiddleware();
    return (req: Request, res: Response, next: NextFunction) => insideHttp.run(true, () => inner(req, res, next));
  };
  const emit = pepper.emitAction.bind(pepper);
  pepper.emitAction = (input) => {
    const action = emit(input);
    if (insideHttp.getStore()) ids.add(action._id);
    return action;
  };
  connectorActionIds.set(pepper, ids);
  stampRequests(pepper.requests);
}

export function instrumentCrm(crm: CrmComSimulator): void {
  stampRequests(crm.requests);
}

/** Ids of the actions the Pepper simulator emitted for HTTP writes; null when the simulator is not instrumented. */
export function actionsEmittedOverHttp(pepper: PepperSimulator): ReadonlySet<string> | null {
  return connectorActionIds.get(pepper) ?? null;
}

function stampRequests(requests: object[]): void {
  const marker = requests as object[] & { stamped?: boolean };
  if (marker.stamped) return;
  marker.stamped = true;
  const push = requests.push;
  requests.push = function stampedPush(this: object[], ...items: object[]) {
    for (const item of items) (item as { at?: number }).at = Date.now();
    return push.apply(this, items);
  };
}

/** CRM.COM bearer tokens (access and refresh) the simulator issued or was shown, for secret scanning. */
export function crmTokensSeen(crm: CrmComSimulator): string[] {
  const tokens = new Set<string>();
  for (const request of crm.requests) {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (match) tokens.add(match[1]);
  }
  // The token store is private to the simulator; a test may look inside it.
  const store = (crm as unknown as { tokens?: { accessExpiries?: Map<string, number>; refreshTokens?: Set<string> } }).tokens;
  for (const token of store?.accessExpiries?.keys() ?? []) tokens.add(token);
  for (const token of store?.refreshTokens ?? []) tokens.add(token);
  return [...tokens];
}
