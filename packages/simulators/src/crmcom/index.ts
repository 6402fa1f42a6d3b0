export { CrmComSimulator } from './crmcom-simulator';
export type { AddContactInput, CrmComSimulatorOptions, PosMovementOptions, PostJournalInput } from './crmcom-simulator';
export type { RecordedRequest } from './crmcom-app';
export type { AccountRecord, ContactRecord, JournalRecord, PurchaseRecord, WalletBalances } from './crmcom-records';
export type { RewardOffer } from './reward-offers';
export type { BackOfficeUser } from './token-store';
export { CrmExceptionCode } from './crmcom-errors';
