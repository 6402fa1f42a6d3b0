import { Clock } from '../common/clock';
import { Sleeper } from '../common/sleeper';
import { AppConfig } from '../config/app-config';
import { CrmComAuth } from '../crmcom/crmcom-auth';
import { crmComErrorFromFailure } from '../crmcom/crmcom.error';
import { pepperErrorFromFailure } from '../pepper/pepper.error';
import { QueryParams } from '../upstream/query-string';
import { RetryingHttp } from '../upstream/retrying-http';
import { CrmRawApi, RawApi } from './preflight.types';

/**
 * Raw reads for the preflight: the checks need to see what the APIs really answer (the phone's shape, whether
 * `paging.has_more` is there, an unfiltered list) before the clients' parsers normalise it. The headers and the
 * auth are the ones PepperClient and CrmComClient send (keep them in step).
 */
export function pepperRawApi(config: AppConfig, clock: Clock, sleeper: Sleeper): RawApi {
  const pepper = config.pepper;
  const secrets = (): string[] => [pepper.authToken];
  const http = new RetryingHttp({
    upstream: 'pepper',
    label: 'Pepper',
    baseURL: pepper.apiUrl,
    http: config.http,
    defaultHeaders: {
      Authorization: `Token ${pepper.authToken}`,
      'x-application-id': pepper.applicationId,
      'x-api-version': pepper.apiVersion,
      Accept: 'application/json',
      'Accept-Encoding': 'gzip, deflate',
    },
    clock,
    sleeper,
    random: Math.random,
    secrets,
    toError: (failure) => pepperErrorFromFailure(failure, secrets()),
  });
  return {
    get: async (path: string, query?: QueryParams) => (await http.request({ method: 'GET', path, query, idempotent: true })).data,
  };
}

export function crmRawApi(config: AppConfig, clock: Clock, sleeper: Sleeper): CrmRawApi {
  const secrets = (): string[] => auth.secrets();
  const http = new RetryingHttp({
    upstream: 'crmcom',
    label: 'CRM.COM',
    baseURL: config.crmcom.apiUrl,
    http: config.http,
    defaultHeaders: { api_key: config.crmcom.apiKey, Accept: 'application/json' },
    clock,
    sleeper,
    random: Math.random,
    secrets,
    toError: (failure) => crmComErrorFromFailure(failure, secrets()),
  });
  const auth = new CrmComAuth(config.crmcom, clock, http);
  return {
    jwtEnabled: auth.enabled,
    login: async () => {
      await auth.headers();
    },
    get: async (path: string, query?: QueryParams) => (await http.request({ method: 'GET', path, query, idempotent: true, auth })).data,
  };
}
