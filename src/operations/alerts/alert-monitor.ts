import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { LogEventLevel, onLogEvent } from '../../common/structured-log';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { FeedHealth } from '../../observability/feed-health';
import { Metrics } from '../../observability/metrics';
import type { UpstreamName } from '../../upstream/upstream-error';
import { AlertCenter, NewAlert } from './alert-center';

const CHECK_EVERY_MS = 60_000;
const API_NAMES: Record<UpstreamName, string> = { pepper: 'Pepper', crmcom: 'CRM.COM' };
/** conflicts that mean money may be wrong: each pages */
const ALERTING_CONFLICTS = new Set(['OVERDRAWN', 'BALANCE_DRIFT']);

const str = (value: unknown): string => (value === undefined || value === null ? '' : String(value as string));

/**
 * What raises alerts: the structured log events an operator must act on (an event parked or expired, the reconciliation
 * withheld, an OVERDRAWN / BALANCE_DRIFT conflict), and a check every minute of the conditions that have a recovery:
 * a feed stalled past ALERT_FEED_STALL_MINUTES, an API rejecting the credentials. A condition alerts when it starts
 * and again (as a recovery) when it ends; its state survives restarts because it is read from the alerts themselves.
 */
@Injectable()
export class AlertMonitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AlertMonitor');
  private unsubscribe: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private pending = new Set<Promise<unknown>>();

  constructor(
    private readonly alerts: AlertCenter,
    private readonly feeds: FeedHealth,
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe = onLogEvent((event, fields, level) => this.onEvent(event, fields, level));
    if (!this.config.schedulerEnabled) return;
    this.timer = setInterval(() => void this.check().catch((e: unknown) => this.logger.error(`alert check failed: ${(e as Error).message}`)), CHECK_EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    await Promise.allSettled([...this.pending]);
  }

  /** Resolves when the alerts raised from log events so far are stored (and their first delivery tried). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** The feeds' and credentials' conditions, now (the schedule calls it every minute). */
  async check(): Promise<void> {
    for (const report of await this.feeds.report()) {
      const thresholdMin = Math.round(this.feeds.stallThresholdSeconds(report.feed) / 60);
      const lagMin = report.lagSeconds === null ? null : Math.round(report.lagSeconds / 60);
      await this.condition(report.feed, 'feed_stalled', 'feed_recovered', report.stalled, {
        failing: {
          severity: 'critical',
          text: `Feed ${report.feed} is stalled: its cursor is ${lagMin} min behind (threshold ${thresholdMin} min)${report.lastError ? `; last error: ${report.lastError}` : ''}`,
        },
        recovered: { severity: 'info', text: `Feed ${report.feed} is moving again (${lagMin} min behind)` },
        fields: {
          feed: report.feed,
          lagSeconds: report.lagSeconds,
          thresholdSeconds: this.feeds.stallThresholdSeconds(report.feed),
          lastError: report.lastError,
        },
      });
    }
    for (const api of ['pepper', 'crmcom'] as const) {
      const state = this.metrics.credentialsOf(api);
      await this.condition(api, 'auth_failed', 'auth_recovered', !state.accepted, {
        failing: { severity: 'critical', text: `${API_NAMES[api]} rejects the connector's credentials (HTTP ${state.lastRejectedStatus ?? '401/403'})` },
        recovered: { severity: 'info', text: `${API_NAMES[api]} accepts the connector's credentials again` },
        fields: { api, status: state.lastRejectedStatus, lastRejectedAt: state.lastRejectedAt?.toISOString() ?? null },
      });
    }
  }

  private async condition(
    subject: string,
    failKind: string,
    recoverKind: string,
    failing: boolean,
    alert: { failing: Pick<NewAlert, 'severity' | 'text'>; recovered: Pick<NewAlert, 'severity' | 'text'>; fields: Record<string, unknown> },
  ): Promise<void> {
    if (failing) {
      // Raised again on every check: it counts within the window and pages again after it while the condition lasts.
      await this.alerts.raise({ kind: failKind, subject, ...alert.failing, fields: alert.fields });
      return;
    }
    const latest = await this.alerts.latestOf([`${failKind}:${subject}`, `${recoverKind}:${subject}`]);
    if (latest?.kind === failKind) await this.alerts.raise({ kind: recoverKind, subject, ...alert.recovered, fields: alert.fields });
  }

  private onEvent(event: string, fields: Record<string, unknown>, _level: LogEventLevel): void {
    const alert = this.alertFor(event, fields);
    if (!alert) return;
    const work = this.alerts.raise(alert).catch((e: unknown) => this.logger.error(`could not store the ${alert.kind} alert: ${(e as Error).message}`));
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  private alertFor(event: string, f: Record<string, unknown>): NewAlert | null {
    switch (event) {
      case 'event_parked':
      case 'wait_expired': {
        const what = `${str(f.source)} ${str(f.type) || 'event'}`.trim();
        return {
          kind: 'event_parked',
          subject: `${str(f.source)}:${str(f.type)}`,
          severity: 'warning',
          text: `${what} ${str(f.externalId)} parked for an operator${event === 'wait_expired' ? ' (waited past MAX_WAIT_HOURS)' : ''}: ${str(f.reason)}`,
          fields: { event, eventId: f.eventId, source: f.source, type: f.type, externalId: f.externalId, pepperUserId: f.pepperUserId, reason: f.reason },
        };
      }
      case 'reconcile_withheld':
        return {
          kind: 'reconcile_withheld',
          subject: 'reconcile',
          severity: 'critical',
          text: `Reconciliation withheld: ${str(f.drifting)} of ${str(f.checked)} users drift, nothing was fixed (check the points rate, currency and wallet perk)`,
          fields: { event, runId: f.runId, drifting: f.drifting, checked: f.checked },
        };
      case 'conflict': {
        const kind = str(f.kind);
        if (!ALERTING_CONFLICTS.has(kind) || f.refreshed === true) return null;
        return {
          kind: 'conflict',
          subject: `${kind}:${str(f.pepperUserId)}`,
          severity: 'warning',
          text: `${kind} conflict ${str(f.conflictId)} for user ${str(f.pepperUserId)}${f.reason ? `: ${str(f.reason)}` : ''}`,
          fields: { event, conflictId: f.conflictId, conflictKind: kind, pepperUserId: f.pepperUserId, reason: f.reason },
        };
      }
      default:
        return null;
    }
  }
}
