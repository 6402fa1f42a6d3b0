import type { NextFunction, Request, Response } from 'express';
import { unauthorized } from './crmcom-errors';
import { TokenStore } from './token-store';

/** Routes that authenticate by themselves: the login, and the refresh (which carries the refresh token). */
const TOKEN_ROUTES = new Set(['POST /users/authenticate', 'POST /users/refresh']);

export function bearerToken(req: Request): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
  return match?.[1];
}

/** Every call needs the `api_key` header; with back-office users configured, a valid access token as well. */
export function authGuard(apiKey: string, jwtMode: boolean, tokens: TokenStore) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (req.get('api_key') !== apiKey) return next(unauthorized('Invalid api key'));
    if (!jwtMode || TOKEN_ROUTES.has(`${req.method} ${req.path}`)) return next();
    const token = bearerToken(req);
    if (token === undefined) return next(unauthorized('Missing access token'));
    if (!tokens.isAccessValid(token)) return next(unauthorized('Invalid or expired access token'));
    next();
  };
}
