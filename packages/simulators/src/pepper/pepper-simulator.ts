import { FaultInjector } from '../shared/fault-injector';
import { listen, type RunningServer } from '../shared/listen';
import type { ActionsEnvelope } from './http/action-routes';
import { createPepperApp, type RecordedRequest } from './http/pepper-app';
import { PepperState } from './pepper-state';
import { PepperAudiences } from './audience-state';

export interface PepperSimulatorOptions {
  authToken: string;
  applicationId: string;
  now?: () => Date;
  /** `GET /actions` answers `{items, page}` (default) or `{actions, page}` as in one doc sample */
  actionsEnvelope?: ActionsEnvelope;
  /** switches for guesses the API documents leave open */
  variants?: { actionsWithoutPage?: boolean };
  /** default `ten_<applicationId>` */
  tenantId?: string;
  /** default 'Simulated Merchant' */
  tenantTitle?: string;
}

/**
 * A stateful in-process fake of the Pepper Platform API (api.pepperhq.com). The programmatic API (inherited from
 * PepperState) stands for activity in the merchant's app; the HTTP API is what the connector calls.
 */
export class PepperSimulator extends PepperState {
  readonly faults = new FaultInjector();
  readonly requests: RecordedRequest[] = [];
  /** segments, notifications (with receipts) and location menus */
  readonly audiences: PepperAudiences;
  private readonly options: PepperSimulatorOptions;

  constructor(options: PepperSimulatorOptions) {
    super({
      now: options.now,
      tenantId: options.tenantId ?? `ten_${options.applicationId}`,
      tenantTitle: options.tenantTitle ?? 'Simulated Merchant',
    });
    this.options = options;
    this.audiences = new PepperAudiences(this.now, this.tenantId, {
      user: (id) => {
        const user = this.getUser(id);
        return user && !user.deleted ? { marketing: user.hasAgreedToReceiveMarketing } : undefined;
      },
    });
  }

  /** port 0 picks a free port */
  start(port = 0): Promise<RunningServer> {
    const app = createPepperApp({
      state: this,
      faults: this.faults,
      requests: this.requests,
      authToken: this.options.authToken,
      applicationId: this.options.applicationId,
      actionsEnvelope: this.options.actionsEnvelope ?? 'items',
      actionsWithoutPage: this.options.variants?.actionsWithoutPage ?? false,
      audiences: this.audiences,
    });
    return listen(app, port, () => this.faults.releaseHanging());
  }

  /** Clears the data, the request log and the fault rules; id counters keep counting. */
  override reset(): void {
    super.reset();
    this.audiences.reset();
    this.requests.length = 0;
    this.faults.clear();
  }
}

export type { RecordedRequest } from './http/pepper-app';
export type { RunningServer } from '../shared/listen';
export { PepperApiError } from './pepper-errors';
export type * from './pepper-types';
