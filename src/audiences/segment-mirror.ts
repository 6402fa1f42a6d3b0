import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { WriteInDoubtError } from '../common/deferred-error';
import { logEvent } from '../common/structured-log';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { RunContext } from '../core/job-runner';
import { CrmComClient } from '../crmcom/crmcom.client';
import { CrmComError } from '../crmcom/crmcom.error';
import type { CrmAudienceKind } from '../crmcom/crmcom-audience.wire';
import { ConflictReporter } from '../ledger/conflict-reporter';
import { formatKey } from '../ledger/keys';
import { WriteProtocol } from '../ledger/write-protocol';
import { PepperClient, SEGMENT_CALL_MAX_USERS } from '../pepper/pepper.client';
import type { SegmentMirrorEntity, SegmentRunSummary } from '../persistence/entities';
import { ConflictStore } from '../persistence/stores/conflict.store';
import { SegmentMirrorStore } from '../persistence/stores/segment-mirror.store';
import { WriteLog } from '../persistence/stores/write-log.store';
import { dispositionOf } from '../upstream/error-disposition';

/** A run that must apply nothing: the reason goes into a SEGMENT_GUARD conflict. */
class GuardTripped extends Error {}

/** How far before the first creation attempt a segment found on read-back may have been created (clock skew). */
const READ_BACK_SKEW_MS = 60_000;

export const segmentTitle = (name: string): string => `CRM: ${name}`;

/**
 * Mirrors each configured CRM.COM audience into a Pepper segment the connector created (design §9). A run reads the
 * CRM.COM members (linked contacts → Pepper users; unlinked ones counted), reads the Pepper members and applies the
 * difference in calls of at most 100 users. An empty or unfiltered CRM.COM answer, or removals above
 * SEGMENT_MAX_REMOVAL_PERCENT of the Pepper members, apply nothing and open a SEGMENT_GUARD conflict.
 */
@Injectable()
export class SegmentMirror {
  private readonly logger = new Logger('SegmentMirror');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly pepper: PepperClient,
    private readonly crm: CrmComClient,
    private readonly mirrors: SegmentMirrorStore,
    private readonly conflictReporter: ConflictReporter,
    private readonly conflicts: ConflictStore,
    private readonly writes: WriteProtocol,
    private readonly writeLog: WriteLog,
    private readonly clock: Clock,
  ) {}

  /** SEGMENT_MAP into the table (rows an operator edited through the admin API keep their edits). */
  async applyConfiguredSources(): Promise<void> {
    for (const source of this.config.audiences.segmentSources) {
      await this.mirrors.upsert({ ...source, enabled: true }, 'config');
    }
  }

  async run(ctx: RunContext, only?: string): Promise<void> {
    await this.applyConfiguredSources();
    const mirrors = (await this.mirrors.list()).filter((m) => m.enabled && (only === undefined || m.source === only));
    for (const mirror of mirrors) {
      if (ctx.stopping) return;
      const summary = await this.mirrorOne(mirror);
      ctx.add('sources');
      ctx.add(summary.state.toLowerCase());
      ctx.add('added', summary.added);
      ctx.add('removed', summary.removed);
      ctx.add('unlinked', summary.unlinked);
    }
  }

  /** One source; never throws but for credentials (which fail the whole run). */
  private async mirrorOne(mirror: SegmentMirrorEntity): Promise<SegmentRunSummary> {
    const summary: SegmentRunSummary = {
      at: this.clock.now().toISOString(),
      state: 'UNCHANGED',
      crmMembers: 0,
      linked: 0,
      unlinked: 0,
      pepperMembers: 0,
      added: 0,
      removed: 0,
    };
    try {
      await this.sync(mirror, summary);
      if (summary.state !== 'GUARDED') await this.closeGuard(mirror.source);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (error instanceof GuardTripped) {
        summary.state = 'GUARDED';
        summary.reason = reason;
        await this.conflictReporter.report({
          kind: 'SEGMENT_GUARD',
          pepperUserId: '',
          candidateContactIds: [],
          eventKey: mirror.source,
          details: { source: mirror.source, name: mirror.name, pepperSegmentId: mirror.pepperSegmentId, reason, ...counts(summary) },
        });
      } else {
        summary.state = 'FAILED';
        summary.reason = reason;
        logEvent(this.logger, 'segment_mirror_failed', { source: mirror.source, error: reason }, 'error');
        if (dispositionOf(error) === 'FAIL_RUN') {
          await this.mirrors.recordRun(mirror.source, summary);
          throw error;
        }
      }
    }
    await this.mirrors.recordRun(mirror.source, summary);
    logEvent(this.logger, 'segment_mirrored', { source: mirror.source, pepperSegmentId: mirror.pepperSegmentId, ...summary });
    return summary;
  }

  private async sync(mirror: SegmentMirrorEntity, summary: SegmentRunSummary): Promise<void> {
    const contactIds = await this.readCrmMembers(mirror);
    summary.crmMembers = contactIds.length;
    const users = await this.mirrors.linkedUsersOf(contactIds);
    const wanted = new Set(users.values());
    summary.linked = wanted.size;
    summary.unlinked = contactIds.length - users.size;

    const segmentId = await this.ensurePepperSegment(mirror);
    const current = new Set<string>();
    for await (const page of this.pepper.segmentMembersPages(segmentId)) for (const userId of page.items) current.add(userId);
    summary.pepperMembers = current.size;

    if (contactIds.length === 0 && current.size > 0) {
      throw new GuardTripped('CRM.COM answered an empty member list; nothing was removed');
    }
    const toAdd = [...wanted].filter((id) => !current.has(id));
    const toRemove = [...current].filter((id) => !wanted.has(id));
    const maxPercent = this.config.audiences.segmentMaxRemovalPercent;
    if (toRemove.length > 0 && toRemove.length * 100 > maxPercent * current.size) {
      throw new GuardTripped(
        `${toRemove.length} of ${current.size} members would be removed, above SEGMENT_MAX_REMOVAL_PERCENT (${maxPercent} %); nothing was applied`,
      );
    }
    // Adding twice and removing a non-member are safe in Pepper: a retried run simply repeats the difference.
    for (const chunk of chunks(toAdd)) {
      await this.pepper.addSegmentUsers(segmentId, chunk);
      summary.added += chunk.length;
    }
    for (const chunk of chunks(toRemove)) {
      await this.pepper.removeSegmentUsers(segmentId, chunk);
      summary.removed += chunk.length;
    }
    summary.state = summary.added + summary.removed > 0 ? 'APPLIED' : 'UNCHANGED';
  }

  private async readCrmMembers(mirror: SegmentMirrorEntity): Promise<string[]> {
    try {
      const ids = await this.crm.audienceContactIds({ kind: mirror.kind as CrmAudienceKind, id: mirror.externalId });
      return [...new Set(ids)];
    } catch (error) {
      if (error instanceof CrmComError && error.code === 'FILTER_IGNORED') {
        throw new GuardTripped(`CRM.COM answered an unfiltered member list (${error.message}); nothing was applied`);
      }
      throw error;
    }
  }

  /** The mirror's Pepper segment: created on the first run, recreated (or reported) when deleted by hand. */
  private async ensurePepperSegment(mirror: SegmentMirrorEntity): Promise<string> {
    if (mirror.pepperSegmentId !== null) {
      const existing = await this.pepper.getSegment(mirror.pepperSegmentId);
      if (existing) return existing.id;
      if (!this.config.audiences.segmentRecreateDeleted) {
        throw new GuardTripped(`the Pepper segment ${mirror.pepperSegmentId} was deleted in Pepper (SEGMENT_RECREATE_DELETED=false)`);
      }
      logEvent(this.logger, 'segment_recreated', { source: mirror.source, deletedSegmentId: mirror.pepperSegmentId }, 'warn');
      await this.mirrors.setPepperSegment(mirror.source, null);
      mirror.pepperSegmentId = null;
      mirror.generation = await this.mirrors.nextGeneration(mirror.source);
    }
    if (mirror.generation === 0) mirror.generation = await this.mirrors.nextGeneration(mirror.source);
    const title = segmentTitle(mirror.name);
    const idempotencyKey = formatKey({ kind: 'segment', applicationId: this.config.pepper.applicationId, source: mirror.source, generation: mirror.generation });
    let segmentId: string | null;
    try {
      segmentId = await this.writes.write({
        idempotencyKey,
        target: 'pepper',
        kind: 'SEGMENT_CREATE',
        pepperUserId: null,
        request: { title, type: 'PERSISTENT', source: mirror.source },
        send: async () => (await this.pepper.createSegment({ title, description: `Mirrored from CRM.COM ${mirror.source} by the connector`, type: 'PERSISTENT' })).id,
        readBack: () => this.findCreatedSegment(idempotencyKey, title),
      });
    } catch (error) {
      if (error instanceof WriteInDoubtError) throw new Error(`the creation of the Pepper segment is in doubt: ${error.message}`);
      throw error;
    }
    if (segmentId === null) throw new Error(`the creation of the Pepper segment was settled without an id (write ${idempotencyKey})`);
    await this.mirrors.setPepperSegment(mirror.source, segmentId);
    mirror.pepperSegmentId = segmentId;
    logEvent(this.logger, 'segment_created', { source: mirror.source, pepperSegmentId: segmentId, title });
    return segmentId;
  }

  /** A segment with the title created since the first attempt, and not another mirror's: the lost answer's segment. */
  private async findCreatedSegment(idempotencyKey: string, title: string): Promise<string | null> {
    const attempts = await this.writeLog.attemptsFor(idempotencyKey);
    const since = attempts.length > 0 ? new Date(attempts[0].sentAt).getTime() - READ_BACK_SKEW_MS : 0;
    for await (const page of this.pepper.segmentsPages()) {
      for (const segment of page.items) {
        if (segment.title !== title || segment.created === null || Date.parse(segment.created) < since) continue;
        if (await this.mirrors.findByPepperSegment(segment.id)) continue;
        return segment.id;
      }
    }
    return null;
  }

  /** A run that applied cleanly settles the source's open guard. */
  private async closeGuard(source: string): Promise<void> {
    const open = await this.conflicts.list({ status: 'OPEN', kind: 'SEGMENT_GUARD' }, 500, null);
    for (const conflict of open.items.filter((c) => c.details.source === source)) {
      await this.conflicts.close(conflict, 'RESOLVED', 'a later run applied the difference within the guards', null);
    }
  }
}

function counts(s: SegmentRunSummary): Record<string, number> {
  return { crmMembers: s.crmMembers, linked: s.linked, unlinked: s.unlinked, pepperMembers: s.pepperMembers };
}

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += SEGMENT_CALL_MAX_USERS) out.push(items.slice(i, i + SEGMENT_CALL_MAX_USERS));
  return out;
}
