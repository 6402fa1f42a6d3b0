import { randomBytes } from 'node:crypto';
import { epochSeconds } from './crmcom-records';

export interface BackOfficeUser {
  username: string;
  password: string;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** epoch seconds */
  expirationDate: number;
}

const opaqueToken = (): string => randomBytes(24).toString('base64url');

/** Issued back-office user tokens. Refresh tokens do not expire but are single use (each refresh rotates the pair). */
export class TokenStore {
  private readonly accessExpiries = new Map<string, number>();
  private readonly refreshTokens = new Set<string>();
  authCount = 0;
  refreshCount = 0;

  constructor(
    private readonly ttlSeconds: number,
    private readonly now: () => Date,
  ) {}

  issue(): TokenPair {
    this.authCount += 1;
    return this.newPair();
  }

  /** A new pair for a known refresh token; undefined when the token is unknown or already used. */
  refresh(refreshToken: string): TokenPair | undefined {
    if (!this.refreshTokens.delete(refreshToken)) return undefined;
    this.refreshCount += 1;
    return this.newPair();
  }

  isAccessValid(accessToken: string): boolean {
    const expiresAtMs = this.accessExpiries.get(accessToken);
    return expiresAtMs !== undefined && this.now().getTime() < expiresAtMs;
  }

  expireAll(): void {
    for (const token of this.accessExpiries.keys()) this.accessExpiries.set(token, Number.NEGATIVE_INFINITY);
  }

  reset(): void {
    this.accessExpiries.clear();
    this.refreshTokens.clear();
    this.authCount = 0;
    this.refreshCount = 0;
  }

  private newPair(): TokenPair {
    const expiresAtMs = this.now().getTime() + this.ttlSeconds * 1000;
    const pair = { accessToken: opaqueToken(), refreshToken: opaqueToken(), expirationDate: epochSeconds(new Date(expiresAtMs)) };
    this.accessExpiries.set(pair.accessToken, expiresAtMs);
    this.refreshTokens.add(pair.refreshToken);
    return pair;
  }
}
