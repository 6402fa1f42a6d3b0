import { Injectable } from '@nestjs/common';
import { CrmComClient } from '../../crmcom/crmcom.client';
import { isWalletBalanceNotEnough } from '../../crmcom/crmcom.error';
import { WriteProtocol } from '../../ledger/write-protocol';

export interface JournalMovement {
  key: string;
  pepperUserId: string;
  contactId: string;
  walletId: string | null;
  /** signed minor units: > 0 credits the wallet, < 0 debits it */
  amountMinor: number;
  /** the points this movement stands for (signed), kept for the running totals */
  sourcePoints: number | null;
  currency: string;
  notes: string;
}

export interface JournalResult {
  appliedMinor: number;
  shortfallMinor: number;
  journalId: string | null;
}

/** Wallet journals written with the write protocol; settled by reading back the wallet's journals by reference. */
@Injectable()
export class CrmJournalWriter {
  constructor(
    private readonly crm: CrmComClient,
    private readonly writes: WriteProtocol,
  ) {}

  async post(m: JournalMovement): Promise<JournalResult> {
    try {
      const journalId = await this.send(m, m.amountMinor);
      return { appliedMinor: m.amountMinor, shortfallMinor: 0, journalId };
    } catch (error) {
      if (m.amountMinor >= 0 || !isWalletBalanceNotEnough(error) || !m.walletId) throw error;
      // The customer spent in both places at once: take what the wallet holds, report the rest.
      const available = Math.max(0, (await this.crm.getWallet(m.walletId)).balanceMinor);
      const take = Math.min(available, -m.amountMinor);
      const journalId = take > 0 ? await this.send(m, -take) : null;
      return { appliedMinor: -take, shortfallMinor: -m.amountMinor - take, journalId };
    }
  }

  private send(m: JournalMovement, amountMinor: number): Promise<string | null> {
    return this.writes.write({
      idempotencyKey: m.key,
      target: 'crmcom',
      kind: 'JOURNAL',
      pepperUserId: m.pepperUserId,
      points: m.sourcePoints,
      amountMinor,
      request: { contactId: m.contactId, action: amountMinor > 0 ? 'CREDIT' : 'DEBIT', amountMinor: Math.abs(amountMinor), reference: m.key },
      send: () =>
        this.crm.createJournal(m.contactId, {
          action: amountMinor > 0 ? 'CREDIT' : 'DEBIT',
          amountMinor: Math.abs(amountMinor),
          currency: m.currency,
          referenceNumber: m.key,
          notes: m.notes,
        }),
      readBack: async () => {
        for await (const page of this.crm.journalsPages({ postedOnGte: 0, referenceNumber: m.key, contactId: m.contactId })) {
          if (page.items[0]) return page.items[0].id;
        }
        return null;
      },
    });
  }
}
