import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import type { FaultInjector } from '../../shared/fault-injector';
import { PepperApiError, badRequest, notFound, unauthorized } from '../pepper-errors';
import type { PepperState } from '../pepper-state';
import { actionRoutes, type ActionsEnvelope } from './action-routes';
import { awardRoutes } from './award-routes';
import { userRoutes } from './user-routes';
import { audienceRoutes } from './audience-routes';
import type { PepperAudiences } from '../audience-state';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  /** the parsed JSON body; undefined without one (or when it did not parse) */
  body: unknown;
}

export interface PepperAppDeps {
  state: PepperState;
  faults: FaultInjector;
  requests: RecordedRequest[];
  authToken: string;
  applicationId: string;
  actionsEnvelope: ActionsEnvelope;
  actionsWithoutPage?: boolean;
  audiences: PepperAudiences;
}

/** Request log, then faults, then auth, then routes: a faulted or refused request is still recorded. */
export function createPepperApp(deps: PepperAppDeps): Express {
  const app = express();
  app.set('query parser', 'simple');
  app.disable('x-powered-by');
  app.disable('etag');
  app.use(recordRequest(deps.requests));
  app.use(express.json({ limit: '5mb' }));
  app.use((req, res, next) => {
    (res.locals.recorded as RecordedRequest).body = req.body;
    next();
  });
  app.use(deps.faults.middleware());
  app.use(requireAuth(deps.authToken, deps.applicationId));
  app.use(userRoutes(deps.state));
  app.use(awardRoutes(deps.state));
  app.use(actionRoutes(deps.state, deps.actionsEnvelope, deps.actionsWithoutPage ?? false));
  app.use(audienceRoutes(deps.audiences, (id) => deps.state.getUser(id)?.deleted === false));
  app.use((req) => {
    throw notFound(`No route ${req.method} ${req.path}`);
  });
  app.use(answerError);
  return app;
}

function recordRequest(requests: RecordedRequest[]): RequestHandler {
  return (req, res, next) => {
    const recorded: RecordedRequest = {
      method: req.method,
      path: req.path,
      query: { ...(req.query as Record<string, unknown>) },
      headers: { ...req.headers },
      body: undefined,
    };
    requests.push(recorded);
    res.locals.recorded = recorded;
    next();
  };
}

function requireAuth(authToken: string, applicationId: string): RequestHandler {
  return (req, _res, next) => {
    if (req.get('authorization') !== `Token ${authToken}`) throw unauthorized('Invalid or missing auth token');
    if (req.get('x-application-id') !== applicationId) throw unauthorized('Invalid or missing x-application-id');
    if (!req.get('x-api-version')) throw unauthorized('Missing x-api-version');
    next();
  };
}

const answerError: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
  const error = err instanceof PepperApiError ? err : asPepperError(err);
  res.status(error.status).json(error.toBody());
};

function asPepperError(err: unknown): PepperApiError {
  // body-parser errors carry a 4xx status (malformed JSON, body too large, bad charset)
  const status = (err as { status?: unknown })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return badRequest(err instanceof Error ? err.message : 'Bad request');
  }
  return new PepperApiError(500, 'InternalServerError', err instanceof Error ? err.message : String(err));
}
