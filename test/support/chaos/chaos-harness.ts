import type { LogLevel } from '@nestjs/common';
import { Clock } from '../../../src/common/clock';
import type { AppConfig } from '../../../src/config/app-config';
import { CrmComSimulator } from '../../../packages/simulators/src/crmcom';
import type { CrmComSimulatorOptions } from '../../../packages/simulators/src/crmcom/crmcom-simulator';
import { PepperSimulator } from '../../../packages/simulators/src/pepper/pepper-simulator';
import { Harness, startHarness } from '../harness';
import { LOYALTY_ENV, settle, WALLET_PERK } from '../loyalty';
import { pendingEvents } from './db';
import { instrumentCrm, instrumentPepper } from './instrument';
import { checkInvariants } from './invariants';

/**
 * "Now" for the connector and both simulators at once. Tests move it forward to let retry delays (30 s and more)
 * and settling windows pass without waiting them out; all three parties see the same time, so windows, cursors,
 * action timestamps and journal dates stay consistent.
 */
export class SkewClock extends Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface ChaosHarness extends Harness {
  clock: SkewClock;
}

export interface ChaosHarnessOptions {
  env?: Record<string, string>;
  crm?: Partial<CrmComSimulatorOptions>;
  pepper?: { variants?: { actionsWithoutPage?: boolean } };
  /** seeds the simulators (after the wallet perk is added) before the connector starts */
  seed?: (pepper: PepperSimulator, crm: CrmComSimulator) => void;
  /** add the enabled PSEUDO_CURRENCY wallet perk (default true) */
  walletPerk?: boolean;
  /** Nest log levels; default none (chaos tests cause many errors on purpose) */
  logger?: LogLevel[] | false;
}

/**
 * startHarness plus: a shared movable clock, instrumented simulators (see instrument.ts), the wallet perk, the
 * loyalty env and more HTTP retries by default.
 */
export async function startChaosHarness(options: ChaosHarnessOptions = {}): Promise<ChaosHarness> {
  const clock = new SkewClock();
  const harness = await startHarness({
    clock,
    logger: options.logger ?? false,
    crm: options.crm,
    pepper: options.pepper,
    env: { HTTP_MAX_RETRIES: '6', ...LOYALTY_ENV, ...options.env },
    seed: (pepper, crm) => {
      instrumentPepper(pepper);
      instrumentCrm(crm);
      if (options.walletPerk !== false) pepper.addPerk({ id: WALLET_PERK, title: 'Wallet', template: 'PSEUDO_CURRENCY' });
      options.seed?.(pepper, crm);
    },
  });
  return Object.defineProperty(harness, 'clock', { value: clock, enumerable: true }) as ChaosHarness;
}

export interface SettleOutcome {
  rounds: number;
  pending: number;
  violations: string[];
}

/**
 * Runs both feeds until nothing is queued and the invariants hold, moving the shared clock forward between rounds
 * so that events waiting for a retry (30 s, 60 s …) or for the actions feed to pass a write in doubt become due.
 * Bounded: returns the last state after `maxRounds`, for the test to assert on.
 */
export async function settleUntilClean(h: ChaosHarness, options: { maxRounds?: number; stepMs?: number } = {}): Promise<SettleOutcome> {
  const maxRounds = options.maxRounds ?? 12;
  const stepMs = options.stepMs ?? 65_000;
  let outcome: SettleOutcome = { rounds: 0, pending: 0, violations: [] };
  for (let round = 1; round <= maxRounds; round++) {
    await settle(h, 2);
    const pending = (await pendingEvents(h.config.databasePath)).length;
    const violations = pending === 0 ? await checkInvariants(h) : [];
    outcome = { rounds: round, pending, violations };
    if (pending === 0 && violations.length === 0) return outcome;
    h.clock.advance(stepMs);
  }
  return outcome;
}

/** A Pepper user with a verified email, created without an action (as before the connector's first start). */
export function addUsers(pepper: PepperSimulator, prefix: string, count: number, emitAction = false): string[] {
  return Array.from({ length: count }, (_, i) =>
    pepper.addUser({ firstName: `${prefix}${i}`, lastName: 'Chaos', email: `${prefix.toLowerCase()}${i}@chaos.example` }, { emitAction }).id,
  );
}

export const ORDER_ITEMS = [{ productId: 'latte', title: 'Latte', quantity: 2, price: '3.75' }];

export function orderRef(config: Pick<AppConfig, 'pepper'>, orderId: string): string {
  return `pepper:${config.pepper.applicationId}:order:${orderId}`;
}

export { WALLET_PERK };
