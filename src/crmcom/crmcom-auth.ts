import { Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { CrmComConfig } from '../config/app-config';
import { ShapeError } from '../upstream/json-shape';
import { RequestAuth, RetryingHttp } from '../upstream/retrying-http';
import { UpstreamError } from '../upstream/upstream-error';
import { CrmComError } from './crmcom.error';
import { CrmTokens, parseCrmTokens } from './crmcom.parsers';

/** Renew the access token when less than this much of its life remains. */
export const TOKEN_REFRESH_MARGIN_MS = 60_000;
// Old tokens can still turn up in an upstream message after a renewal; keep a few to redact.
const RETIRED_TOKENS_KEPT = 4;

interface Session {
  accessToken: string;
  refreshToken: string | null;
  expiresAtMs: number;
}

/**
 * The optional back-office user JWT (`Authorization: Bearer …`) sent beside the api_key.
 * One token fetch at a time: concurrent calls wait for the same authenticate or refresh.
 * Without a configured username it adds nothing, and a 401 is final.
 */
export class CrmComAuth implements RequestAuth {
  private readonly logger = new Logger('CrmComAuth');
  private session: Session | null = null;
  private pending: Promise<Session> | null = null;
  private retiredTokens: string[] = [];

  constructor(
    private readonly crmcom: CrmComConfig,
    private readonly clock: Clock,
    private readonly http: RetryingHttp,
  ) {}

  get enabled(): boolean {
    return typeof this.crmcom.username === 'string' && this.crmcom.username !== '';
  }

  async headers(): Promise<Record<string, string>> {
    if (!this.enabled) return {};
    const session = await this.validSession();
    return { Authorization: `Bearer ${session.accessToken}` };
  }

  async renewAfterRejection(rejectedHeaders: Record<string, string>): Promise<boolean> {
    if (!this.enabled) return false;
    const current = this.session;
    // Another call already replaced the rejected token: just use the new one.
    if (current && rejectedHeaders.Authorization !== `Bearer ${current.accessToken}`) return true;
    await this.singleFlight(() => this.authenticate());
    return true;
  }

  /** Everything that must be kept out of logs and error messages. */
  secrets(): string[] {
    const values = [this.crmcom.apiKey, this.crmcom.password ?? '', ...this.retiredTokens];
    if (this.session) values.push(this.session.accessToken, this.session.refreshToken ?? '');
    return values.filter((value) => value !== '');
  }

  private async validSession(): Promise<Session> {
    const session = this.session;
    if (session && session.expiresAtMs - this.clock.nowMs() >= TOKEN_REFRESH_MARGIN_MS) return session;
    if (session?.refreshToken) {
      const refreshToken = session.refreshToken;
      return this.singleFlight(() => this.refreshOrAuthenticate(refreshToken));
    }
    return this.singleFlight(() => this.authenticate());
  }

  private singleFlight(fetchSession: () => Promise<Session>): Promise<Session> {
    if (!this.pending) {
      this.pending = fetchSession()
        .then((session) => this.adopt(session))
        .finally(() => {
          this.pending = null;
        });
    }
    return this.pending;
  }

  private adopt(session: Session): Session {
    if (this.session) {
      const old = [this.session.accessToken, this.session.refreshToken ?? ''].filter((token) => token !== '');
      this.retiredTokens = [...old, ...this.retiredTokens].slice(0, RETIRED_TOKENS_KEPT);
    }
    this.session = session;
    return session;
  }

  private async refreshOrAuthenticate(refreshToken: string): Promise<Session> {
    try {
      const session = await this.tokenCall('/users/refresh', {}, { Authorization: `Bearer ${refreshToken}` });
      // An answer without a new refresh token leaves the current one in use.
      return { ...session, refreshToken: session.refreshToken ?? refreshToken };
    } catch (err) {
      const reason = err instanceof UpstreamError ? err.code : 'unexpected error';
      this.logger.warn(`CRM.COM token refresh failed (${reason}); signing in again`);
      return this.authenticate();
    }
  }

  private authenticate(): Promise<Session> {
    return this.tokenCall('/users/authenticate', {
      provider: 'EMAIL',
      username: this.crmcom.username,
      password: this.crmcom.password,
    });
  }

  private async tokenCall(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Session> {
    // Signing in twice is harmless, so these calls may be retried like reads.
    const response = await this.http.request({ method: 'POST', path, body, headers, idempotent: true });
    let tokens: CrmTokens;
    try {
      tokens = parseCrmTokens(response.data);
    } catch (err) {
      if (!(err instanceof ShapeError)) throw err;
      throw new CrmComError(`CRM.COM POST ${path} answered with an unexpected body: ${err.message}`, {
        code: 'INVALID_RESPONSE',
        status: response.status,
      });
    }
    return {
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      expiresAtMs: tokens.expiresAt * 1000,
    };
  }
}
