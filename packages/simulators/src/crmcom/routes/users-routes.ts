import { Router } from 'express';
import { bearerToken } from '../auth-guard';
import { BodyReader } from '../body-reader';
import { unauthorized } from '../crmcom-errors';
import { BackOfficeUser, TokenPair, TokenStore } from '../token-store';

function tokenResponse(pair: TokenPair) {
  return {
    access_token: pair.accessToken,
    refresh_token: pair.refreshToken,
    expiration_date: pair.expirationDate,
    mode: 'LIVE',
    lockout_date: null,
    password_expired: false,
  };
}

export function usersRoutes(users: readonly BackOfficeUser[], tokens: TokenStore): Router {
  const router = Router();

  router.post('/users/authenticate', (req, res) => {
    const body = BodyReader.of(req.body);
    body.requiredEnum('provider', ['EMAIL'] as const);
    const username = body.requiredString('username');
    const password = body.requiredString('password');
    const user = users.find((candidate) => candidate.username === username && candidate.password === password);
    if (!user) throw unauthorized('Invalid username or password');
    res.status(200).json(tokenResponse(tokens.issue()));
  });

  router.post('/users/refresh', (req, res) => {
    const refreshToken = bearerToken(req);
    const pair = refreshToken === undefined ? undefined : tokens.refresh(refreshToken);
    if (!pair) throw unauthorized('Invalid refresh token');
    res.status(200).json(tokenResponse(pair));
  });

  return router;
}
