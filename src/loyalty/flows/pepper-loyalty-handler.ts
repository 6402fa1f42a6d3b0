import { Injectable } from '@nestjs/common';
import type { HandleResult } from '../../core/handle-result';
import { storedPepperAction } from '../../core/stored-payloads';
import { UserGoneError } from '../../customers/linked-user';
import type { InboundEventEntity } from '../../persistence/entities';
import { ShapeError } from '../../upstream/json-shape';
import { MOVEMENT_TYPES } from '../rules/action-movement';
import { LoyaltyStatus } from './loyalty-status';
import { OrderFlow } from './order-flow';
import { WalletMovementFlow } from './wallet-movement-flow';

export const LOYALTY_ACTION_TYPES = ['ORDER_COMPLETED', 'ORDER_PAYMENT_REFUNDED', ...MOVEMENT_TYPES] as const;

/**
 * Pepper's loyalty actions, routed to their flow once loyalty is ACTIVE (until then they wait): orders to
 * `OrderFlow`, movements on awards to `WalletMovementFlow`.
 */
@Injectable()
export class PepperLoyaltyHandler {
  constructor(
    private readonly loyalty: LoyaltyStatus,
    private readonly orders: OrderFlow,
    private readonly movements: WalletMovementFlow,
  ) {}

  handles(type: string): boolean {
    return (LOYALTY_ACTION_TYPES as readonly string[]).includes(type);
  }

  async handle(event: InboundEventEntity): Promise<HandleResult> {
    try {
      return await this.dispatch(event);
    } catch (error) {
      if (error instanceof UserGoneError) return { state: 'PARK', reason: error.message };
      if (error instanceof ShapeError) return { state: 'PARK', reason: `stored action unreadable: ${error.message}` };
      throw error;
    }
  }

  private async dispatch(event: InboundEventEntity): Promise<HandleResult> {
    const { walletPerkId } = this.loyalty.gate();
    if (!event.pepperUserId) return { state: 'PARK', reason: 'the action names no user (context.user._id is missing)' };
    const action = storedPepperAction(event);
    switch (action.type) {
      case 'ORDER_COMPLETED':
        return this.orders.completed(action);
      case 'ORDER_PAYMENT_REFUNDED':
        return this.orders.refunded(action);
      default:
        return this.movements.handle(event, action, walletPerkId);
    }
  }
}
