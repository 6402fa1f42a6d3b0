import express, { ErrorRequestHandler, Express, NextFunction, Request, Response } from 'express';
import { FaultInjector } from '../shared/fault-injector';
import { authGuard } from './auth-guard';
import { CrmError, CrmExceptionCode, invalidValue, sendCrmError } from './crmcom-errors';
import { contactsRoutes } from './routes/contacts-routes';
import { audienceRoutes } from './routes/audience-routes';
import { CrmAudienceStore } from './audience-store';
import { journalsRoutes } from './routes/journals-routes';
import { purchasesRoutes } from './routes/purchases-routes';
import { RouteContext } from './routes/route-context';
import { usersRoutes } from './routes/users-routes';
import { walletsRoutes } from './routes/wallets-routes';
import { BackOfficeUser, TokenStore } from './token-store';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  /** the parsed JSON body; undefined when there was none, or a fault answered before it was read */
  body: unknown;
}

export interface CrmComAppParts extends RouteContext {
  apiKey: string;
  users: readonly BackOfficeUser[];
  tokens: TokenStore;
  faults: FaultInjector;
  requests: RecordedRequest[];
  audiences: CrmAudienceStore;
}

const recordedBody = Symbol('recordedRequest');
type RecordingRequest = Request & { [recordedBody]?: RecordedRequest };

function crmErrorHandler(): ErrorRequestHandler {
  return (error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof CrmError) return sendCrmError(res, error);
    const parseFailure = error as { type?: string; status?: number };
    if (parseFailure.type === 'entity.parse.failed') return sendCrmError(res, invalidValue('body', 'Malformed JSON body'));
    if (parseFailure.status === 413) return sendCrmError(res, new CrmError(413, null, 'Request body too large'));
    // The live API answers unexpected failures with an all-null body.
    res.status(500).json({ status: 500, message: null, error: null, parameters: null });
  };
}

/**
 * Middleware order: the request is recorded (observation only), then faults decide before anything else
 * answers, then the body is parsed, then auth, then the routes.
 */
export function buildCrmComApp(parts: CrmComAppParts): Express {
  const app = express();
  app.set('query parser', 'simple'); // keeps `posted_on[gte]` as a literal key, as the filters expect
  app.disable('x-powered-by');

  app.use((req: RecordingRequest, _res, next) => {
    const record: RecordedRequest = {
      method: req.method,
      path: req.path,
      query: { ...(req.query as Record<string, unknown>) },
      headers: { ...req.headers },
      body: undefined,
    };
    parts.requests.push(record);
    req[recordedBody] = record;
    next();
  });
  app.use(parts.faults.middleware());
  app.use(express.json());
  app.use((req: RecordingRequest, _res, next) => {
    const record = req[recordedBody];
    if (record) record.body = req.body;
    next();
  });
  app.use(authGuard(parts.apiKey, parts.users.length > 0, parts.tokens));

  app.use(usersRoutes(parts.users, parts.tokens));
  app.use(audienceRoutes(parts));
  app.use(contactsRoutes(parts));
  app.use(walletsRoutes(parts));
  app.use(purchasesRoutes(parts));
  app.use(journalsRoutes(parts));

  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(new CrmError(404, CrmExceptionCode.notFound, `No route ${req.method} ${req.path}`));
  });
  app.use(crmErrorHandler());
  return app;
}
