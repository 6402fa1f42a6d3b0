import { Clock } from '../common/clock';
import { Sleeper } from '../common/sleeper';
import { AppConfig } from '../config/app-config';
import { CrmComClient } from '../crmcom/crmcom.client';
import { PepperClient } from '../pepper/pepper.client';
import { PreflightDeps } from './preflight.types';
import { crmRawApi, pepperRawApi } from './raw-api';

/** The connector's own clients (and raw readers with the same headers) for the configured merchant. */
export function buildPreflightDeps(config: AppConfig, clock: Clock = new Clock(), sleeper: Sleeper = new Sleeper()): PreflightDeps {
  return {
    config,
    clock,
    pepper: new PepperClient(config, clock, sleeper),
    crm: new CrmComClient(config, clock, sleeper),
    pepperRaw: pepperRawApi(config, clock, sleeper),
    crmRaw: crmRawApi(config, clock, sleeper),
  };
}
