import type { ConflictEntity, InboundEventEntity, OutboundWriteEntity, SyncRunEntity, UserLinkEntity } from '../persistence/entities';

export const presentLink = (l: UserLinkEntity) => ({
  pepperUserId: l.pepperUserId,
  crmContactId: l.crmContactId,
  crmAccountId: l.crmAccountId,
  crmWalletId: l.crmWalletId,
  status: l.status,
  matchedBy: l.matchedBy,
  createdAt: l.createdAt,
  updatedAt: l.updatedAt,
});

export const presentConflict = (c: ConflictEntity) => ({
  id: c.id,
  kind: c.kind,
  pepperUserId: c.pepperUserId,
  candidateContactIds: c.candidateContactIds,
  details: c.details,
  status: c.status,
  createdAt: c.createdAt,
  resolvedAt: c.resolvedAt,
  resolution: c.resolution,
  resolvedBy: c.resolvedBy,
});

export const presentFailedEvent = (e: InboundEventEntity) => ({
  id: e.id,
  source: e.source,
  externalId: e.externalId,
  type: e.type,
  pepperUserId: e.pepperUserId,
  state: e.state,
  attempts: e.attempts,
  lastError: e.lastError,
  updatedAt: e.updatedAt,
});

export const presentRun = (r: SyncRunEntity) => ({
  runId: r.runId,
  job: r.job,
  trigger: r.trigger,
  state: r.state,
  startedAt: r.startedAt,
  finishedAt: r.finishedAt,
  counts: r.counts,
  error: r.error,
  actor: r.actor,
  params: r.params,
});

/** Never the stored request or response: only these fields reach an admin reply. */
export const presentWrite = (w: OutboundWriteEntity) => ({
  id: w.id,
  idempotencyKey: w.idempotencyKey,
  target: w.target,
  kind: w.kind,
  pepperUserId: w.pepperUserId,
  points: w.points,
  amountMinor: w.amountMinor,
  state: w.state,
  sentAt: w.sentAt,
  upstreamId: w.upstreamId,
  error: w.error,
  settledBy: w.settledBy,
});
