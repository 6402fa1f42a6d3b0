import { Router } from 'express';
import { notFound } from '../crmcom-errors';
import { walletToWire } from '../wire-resources';
import { param, RouteContext } from './route-context';

export function walletsRoutes({ store }: RouteContext): Router {
  const router = Router();
  router.get('/wallets/:id', (req, res) => {
    const wallet = store.wallets.get(param(req, 'id'));
    if (!wallet) throw notFound('Wallet');
    res.json(walletToWire(wallet, store));
  });
  return router;
}
