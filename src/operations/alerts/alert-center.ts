import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThanOrEqual, MoreThan, Repository } from 'typeorm';
import { Clock } from '../../common/clock';
import { logEvent } from '../../common/structured-log';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { AlertEntity, AlertSeverity, AlertState } from '../../persistence/entities';
import { ListPage, pageById } from '../../persistence/stores/page';

export interface NewAlert {
  /** what happened: feed_stalled, feed_recovered, auth_failed, auth_recovered, event_parked, reconcile_withheld, conflict */
  kind: string;
  /** the thing it is about (a feed, an API, "pepper:ORDER_COMPLETED", a user); with `kind` it makes the de-dup key */
  subject: string;
  severity: AlertSeverity;
  text: string;
  fields: Record<string, unknown>;
}

/** One alert per key per window: a stall that lasts all day pages once an hour, a burst of parked orders once. */
export const ALERT_DEDUP_WINDOW_MS = 60 * 60 * 1000;
/** Delivery attempts before an alert is FAILED (about 3.5 h of retries). */
export const ALERT_MAX_ATTEMPTS = 10;
const BACKOFF_BASE_MS = 30_000;
const BACKOFF_MAX_MS = 30 * 60_000;
const SEND_EVERY_MS = 15_000;
const SEND_BATCH = 20;

/**
 * Alerts that are not lost: each is stored first (the `alert` table), then posted to ALERT_WEBHOOK_URL as a
 * Slack-compatible body (`text` plus the structured fields), retried with exponential backoff up to
 * ALERT_MAX_ATTEMPTS. The same key within ALERT_DEDUP_WINDOW_MS only counts `occurrences` on the first alert.
 */
@Injectable()
export class AlertCenter implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Alerts');
  /** raises and deliveries run one at a time (de-dup reads then writes; a row is never posted twice at once) */
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    @InjectRepository(AlertEntity) private readonly repo: Repository<AlertEntity>,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.schedulerEnabled || !this.config.ops.alertWebhookUrl) return;
    this.timer = setInterval(() => void this.deliverDue().catch((e: unknown) => this.logger.error(`alert delivery failed: ${(e as Error).message}`)), SEND_EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.chain.catch(() => undefined);
  }

  /** Stores the alert (or counts a repeat within the window), then tries to deliver it at once. */
  async raise(alert: NewAlert): Promise<AlertEntity> {
    const row = await this.serial(() => this.store(alert));
    if (row.occurrences === 1 && row.state === 'PENDING') await this.deliverDue();
    return row;
  }

  /** Posts every PENDING alert whose next attempt is due (what the schedule calls; tests call it after moving the clock). */
  deliverDue(): Promise<number> {
    return this.serial(async () => {
      if (!this.config.ops.alertWebhookUrl || this.stopped) return 0;
      const due = await this.repo.find({
        where: { state: 'PENDING', nextAttemptAt: LessThanOrEqual(this.clock.now()) },
        order: { id: 'ASC' },
        take: SEND_BATCH,
      });
      let sent = 0;
      for (const alert of due) if (await this.deliver(alert, this.config.ops.alertWebhookUrl)) sent += 1;
      return sent;
    });
  }

  list(filter: { state?: AlertState; kind?: string }, limit: number, cursor: string | null): Promise<ListPage<AlertEntity>> {
    const where: Record<string, unknown> = {};
    if (filter.state) where.state = filter.state;
    if (filter.kind) where.kind = filter.kind;
    return pageById(this.repo, where, limit, cursor);
  }

  /** The latest alert of any of these keys (the open/closed state of a condition, across restarts). */
  latestOf(keys: string[]): Promise<AlertEntity | null> {
    return this.repo.findOne({ where: { key: In(keys) }, order: { lastSeenAt: 'DESC', id: 'DESC' } });
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(work, work);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async store(alert: NewAlert): Promise<AlertEntity> {
    const now = this.clock.now();
    const key = `${alert.kind}:${alert.subject}`;
    const recent = await this.repo.findOne({
      where: { key, firstSeenAt: MoreThan(new Date(now.getTime() - ALERT_DEDUP_WINDOW_MS)) },
      order: { id: 'DESC' },
    });
    if (recent) {
      recent.occurrences += 1;
      recent.lastSeenAt = now;
      await this.repo.update({ id: recent.id }, { occurrences: recent.occurrences, lastSeenAt: now });
      return recent;
    }
    const webhook = this.config.ops.alertWebhookUrl !== null;
    const row = await this.repo.save(
      this.repo.create({
        key,
        kind: alert.kind,
        severity: alert.severity,
        text: alert.text,
        fields: alert.fields,
        state: webhook ? 'PENDING' : 'LOCAL',
        attempts: 0,
        nextAttemptAt: webhook ? now : null,
        lastError: null,
        occurrences: 1,
        firstSeenAt: now,
        lastSeenAt: now,
        sentAt: null,
      }),
    );
    logEvent(
      this.logger,
      'alert_raised',
      { alertId: row.id, kind: row.kind, key: row.key, severity: row.severity, text: row.text, ...row.fields },
      row.severity === 'info' ? 'log' : row.severity === 'warning' ? 'warn' : 'error',
    );
    return row;
  }

  private async deliver(alert: AlertEntity, url: string): Promise<boolean> {
    const attempts = alert.attempts + 1;
    let error: string | null = null;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(this.payload(alert)),
        signal: AbortSignal.timeout(this.config.http.timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) error = `the receiver answered ${response.status}`;
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code;
      error = cause ? `${(e as Error).message} (${cause})` : (e as Error).message;
    }
    const now = this.clock.now();
    if (error === null) {
      await this.repo.update({ id: alert.id }, { state: 'SENT', attempts, sentAt: now, nextAttemptAt: null, lastError: null });
      return true;
    }
    if (attempts >= ALERT_MAX_ATTEMPTS) {
      await this.repo.update({ id: alert.id }, { state: 'FAILED', attempts, nextAttemptAt: null, lastError: error });
      logEvent(this.logger, 'alert_undeliverable', { alertId: alert.id, kind: alert.kind, key: alert.key, attempts, error }, 'error');
      return false;
    }
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (attempts - 1));
    await this.repo.update({ id: alert.id }, { attempts, nextAttemptAt: new Date(now.getTime() + delay), lastError: error });
    this.logger.warn({ msg: 'alert delivery failed; will retry', alertId: alert.id, attempts, retryInMs: delay, error });
    return false;
  }

  /** Slack-compatible: Slack shows `text`; other receivers read the fields. */
  private payload(alert: AlertEntity): Record<string, unknown> {
    return {
      text: `[${this.config.pepper.applicationId}] ${alert.text}`,
      ...alert.fields,
      alertId: alert.id,
      kind: alert.kind,
      key: alert.key,
      severity: alert.severity,
      applicationId: this.config.pepper.applicationId,
      firstSeenAt: alert.firstSeenAt.toISOString(),
    };
  }
}
