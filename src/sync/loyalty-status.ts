import { Injectable } from '@nestjs/common';

export interface LoyaltyState {
  state: 'ACTIVE' | 'DISABLED';
  reason: string | null;
}

/** Whether the loyalty flows run, and why not. Customer sync runs either way. */
@Injectable()
export class LoyaltyStatus {
  current(): LoyaltyState {
    return { state: 'DISABLED', reason: 'the loyalty flows (orders, wallet movements, awards) are not part of this version yet' };
  }
}
