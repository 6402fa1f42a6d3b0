import { Logger } from '@nestjs/common';
import axios, { AxiosInstance, AxiosResponse } from 'axios';
import { Clock } from '../common/clock';
import { redactSecrets } from '../common/redact';
import { Sleeper } from '../common/sleeper';
import { HttpConfig } from '../config/app-config';
import { HttpFailure, HttpMethod } from './http-failure';
import { QueryParams, toQueryString } from './query-string';
import { backoffDelayMs, MAX_RETRY_AFTER_MS, parseRetryAfterMs } from './retry-policy';
import { UpstreamError, UpstreamName } from './upstream-error';
import { TokenBucket } from './token-bucket';

export interface HttpRequest {
  method: HttpMethod;
  /** Path below the base URL, ids already encoded; never carries the query. */
  path: string;
  query?: QueryParams;
  body?: unknown;
  headers?: Record<string, string>;
  /** Safe to repeat after an unknown outcome (reads, absolute PUTs). Writes that add or take away are not. */
  idempotent: boolean;
  auth?: RequestAuth;
}

/** Per-call credentials that can be renewed once when the upstream answers 401. */
export interface RequestAuth {
  headers(): Promise<Record<string, string>>;
  /** True when credentials were renewed and the rejected call should be repeated once. */
  renewAfterRejection(rejectedHeaders: Record<string, string>): Promise<boolean>;
}

export interface HttpResponse {
  status: number;
  /** Parsed JSON body; null when the body is empty. */
  data: unknown;
  headers: Record<string, string>;
}

/** Sees every attempt (metrics, the credentials state); never the request's headers or body. */
export interface UpstreamObserver {
  /** `status` is the HTTP status, or TIMEOUT / a network error code; `route` has its ids replaced by `:id` */
  attempt(api: UpstreamName, method: HttpMethod, route: string, status: string, seconds: number): void;
  retry(api: UpstreamName, cause: string): void;
}

/** The largest answer read from an upstream: a hostile or broken one cannot fill the memory. */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** A path as a metrics label: segments that look like ids (a digit, or long) become `:id`, so labels stay few. */
export function routeOf(path: string): string {
  return path
    .split('/')
    .map((segment) => (/\d/.test(segment) || segment.length > 24 ? ':id' : segment))
    .join('/');
}

export interface RetryingHttpOptions {
  upstream: UpstreamName;
  /** How the upstream is named in logs and messages, e.g. "Pepper". */
  label: string;
  baseURL: string;
  http: HttpConfig;
  defaultHeaders: Record<string, string>;
  clock: Clock;
  sleeper: Sleeper;
  random: () => number;
  /** Values that must never reach a log line or an error message. */
  secrets: () => ReadonlyArray<string | null | undefined>;
  toError: (failure: HttpFailure) => UpstreamError;
  observer?: UpstreamObserver | null;
  /** the upstream's rate budget: every attempt (retries too) takes a token; a 429 slows it down */
  rateLimit?: TokenBucket | null;
}

type Attempt =
  | { kind: 'response'; status: number; text: string; headers: Record<string, string> }
  | { kind: 'timeout' }
  | { kind: 'network'; errorCode: string };

// The connection was never established, so nothing reached the upstream and even a write may be resent.
const NOT_SENT_ERROR_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);
// ERR_CANCELED: the total deadline (not only the idle timeout) ran out while the answer trickled in.
const TIMEOUT_ERROR_CODES = new Set(['ETIMEDOUT', 'ECONNABORTED', 'ERR_CANCELED']);

/** The one place that sends HTTP to an upstream and decides whether to try again. */
export class RetryingHttp {
  private readonly axios: AxiosInstance;
  private readonly logger: Logger;

  constructor(private readonly options: RetryingHttpOptions) {
    this.logger = new Logger(`${options.label}Http`);
    this.axios = axios.create({
      baseURL: options.baseURL,
      timeout: options.http.timeoutMs,
      decompress: true,
      validateStatus: () => true,
      maxRedirects: 0,
      // Read the body as text and parse it here, so malformed JSON is an error instead of a string.
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      transformRequest: [(data: unknown) => data],
      transitional: { clarifyTimeoutError: true },
      maxContentLength: MAX_RESPONSE_BYTES,
      maxBodyLength: MAX_RESPONSE_BYTES,
    });
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const url = `${req.path}${toQueryString(req.query)}`;
    const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
    let attempts = 0;
    let retries = 0;
    let renewedAuth = false;
    for (;;) {
      const headers: Record<string, string> = {
        ...this.options.defaultHeaders,
        ...(req.auth ? await req.auth.headers() : {}),
        ...(req.headers ?? {}),
      };
      if (payload !== undefined) headers['Content-Type'] = 'application/json';

      attempts += 1;
      await this.options.rateLimit?.take();
      const started = process.hrtime.bigint();
      const attempt = await this.send(req.method, url, headers, payload);
      this.observe(req, attempt, Number(process.hrtime.bigint() - started) / 1e9);
      if (attempt.kind === 'response' && attempt.status >= 200 && attempt.status < 300) {
        return this.successOf(req, attempt, attempts);
      }
      const failure = this.failureOf(req, attempt, attempts);
      if (failure.kind === 'status' && failure.status === 429) this.options.rateLimit?.slowDown();

      if (failure.kind === 'status' && failure.status === 401 && req.auth && !renewedAuth) {
        renewedAuth = true;
        if (await req.auth.renewAfterRejection(headers)) continue;
      }

      const delayMs = this.retryDelayMs(req, failure, retries);
      if (delayMs === null) throw this.options.toError(failure);
      retries += 1;
      this.options.observer?.retry(this.options.upstream, failureCause(failure));
      this.logRetry(failure, retries, delayMs);
      await this.options.sleeper.sleep(delayMs);
    }
  }

  private async send(
    method: HttpMethod,
    url: string,
    headers: Record<string, string>,
    payload: string | undefined,
  ): Promise<Attempt> {
    let response: AxiosResponse<unknown>;
    try {
      // A total deadline for the whole exchange: axios' timeout alone is an idle timeout, which a trickle never trips.
      const signal = AbortSignal.timeout(this.options.http.timeoutMs);
      response = await this.axios.request<unknown>({ method, url, headers, data: payload, signal });
    } catch (err) {
      // Only the error code is kept: axios errors carry the request config, headers included.
      const tooLarge = err instanceof Error && /maxContentLength/.test(err.message);
      const errorCode = tooLarge ? 'RESPONSE_TOO_LARGE' : axios.isAxiosError(err) && typeof err.code === 'string' ? err.code : 'UNKNOWN';
      return TIMEOUT_ERROR_CODES.has(errorCode) ? { kind: 'timeout' } : { kind: 'network', errorCode };
    }
    const text = typeof response.data === 'string' ? response.data : '';
    return { kind: 'response', status: response.status, text, headers: plainHeaders(response.headers) };
  }

  private observe(req: HttpRequest, attempt: Attempt, seconds: number): void {
    const status = attempt.kind === 'response' ? String(attempt.status) : attempt.kind === 'timeout' ? 'TIMEOUT' : attempt.errorCode;
    this.options.observer?.attempt(this.options.upstream, req.method, routeOf(req.path), status, seconds);
  }

  private successOf(
    req: HttpRequest,
    attempt: Extract<Attempt, { kind: 'response' }>,
    attempts: number,
  ): HttpResponse {
    const parsed = parseJsonText(attempt.text);
    if (parsed.ok) return { status: attempt.status, data: parsed.value, headers: attempt.headers };
    throw this.options.toError({
      kind: 'invalid-body',
      method: req.method,
      path: req.path,
      attempts,
      status: attempt.status,
      reason: 'not valid JSON',
      // The upstream accepted the write but its answer cannot be read: treat it as unknown, never as not done.
      outcomeUnknown: isWrite(req.method),
    });
  }

  private failureOf(req: HttpRequest, attempt: Attempt, attempts: number): HttpFailure {
    const base = { method: req.method, path: req.path, attempts };
    const write = isWrite(req.method);
    switch (attempt.kind) {
      case 'response': {
        const parsed = parseJsonText(attempt.text);
        return {
          ...base,
          kind: 'status',
          status: attempt.status,
          body: parsed.ok ? parsed.value : attempt.text,
          retryAfterMs:
            attempt.status === 429 || attempt.status === 503
              ? parseRetryAfterMs(attempt.headers['retry-after'], this.options.clock.nowMs())
              : null,
          outcomeUnknown: write && attempt.status >= 500,
        };
      }
      case 'timeout':
        return { ...base, kind: 'timeout', timeoutMs: this.options.http.timeoutMs, outcomeUnknown: write };
      case 'network':
        return {
          ...base,
          kind: 'network',
          errorCode: attempt.errorCode,
          outcomeUnknown: write && !NOT_SENT_ERROR_CODES.has(attempt.errorCode),
        };
    }
  }

  /** The wait before the next attempt, or null when the failure is final. */
  private retryDelayMs(req: HttpRequest, failure: HttpFailure, retriesSoFar: number): number | null {
    if (retriesSoFar >= this.options.http.maxRetries) return null;
    const backoff = (): number => backoffDelayMs(this.options.http, retriesSoFar, this.options.random);
    switch (failure.kind) {
      case 'status':
        if (failure.status === 429) {
          if (failure.retryAfterMs === null) return backoff();
          return failure.retryAfterMs <= MAX_RETRY_AFTER_MS ? failure.retryAfterMs : null;
        }
        return failure.status >= 500 && req.idempotent ? backoff() : null;
      case 'timeout':
        return req.idempotent ? backoff() : null;
      case 'network':
        return req.idempotent || NOT_SENT_ERROR_CODES.has(failure.errorCode) ? backoff() : null;
      case 'invalid-body':
        return null;
    }
  }

  private logRetry(failure: HttpFailure, retry: number, delayMs: number): void {
    const cause = failureCause(failure);
    const line =
      `${this.options.label} ${failure.method} ${failure.path} failed (${cause}); ` +
      `retry ${retry}/${this.options.http.maxRetries} in ${delayMs} ms`;
    this.logger.warn(redactSecrets(line, this.options.secrets()));
  }
}

function failureCause(failure: HttpFailure): string {
  switch (failure.kind) {
    case 'status':
      return String(failure.status);
    case 'timeout':
      return 'TIMEOUT';
    case 'network':
      return failure.errorCode;
    case 'invalid-body':
      return 'INVALID_RESPONSE';
  }
}

function isWrite(method: HttpMethod): boolean {
  return method !== 'GET';
}

function parseJsonText(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === '') return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function plainHeaders(headers: object): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') result[name.toLowerCase()] = value;
    else if (typeof value === 'number') result[name.toLowerCase()] = String(value);
    else if (Array.isArray(value)) result[name.toLowerCase()] = value.join(', ');
  }
  return result;
}
