import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const MATCHING_CONFLICT_KINDS = [
  'AMBIGUOUS_MATCH',
  'EMAIL_PHONE_MISMATCH',
  'CONTACT_LINKED_ELSEWHERE',
  'UNVERIFIED_MATCH',
  'CONTACT_FIELD_TAKEN',
  'DUPLICATE_CONTACT',
] as const;
export const BALANCE_CONFLICT_KINDS = ['OPENING_BALANCE_REPLACED', 'BALANCE_DRIFT'] as const;
export const EVENT_CONFLICT_KINDS = ['OVERDRAWN', 'ORDER_REFUNDED', 'UNEXPECTED_PEPPER_EARNING', 'UNMATCHED_ECHO'] as const;
/** Not about one user: a segment mirror run that applied nothing, a purchase line CRM.COM did not know (design §9). */
export const AUDIENCE_CONFLICT_KINDS = ['SEGMENT_GUARD', 'PRODUCT_UNKNOWN'] as const;

export type MatchingConflictKind = (typeof MATCHING_CONFLICT_KINDS)[number];
export type ConflictKind =
  | MatchingConflictKind
  | (typeof BALANCE_CONFLICT_KINDS)[number]
  | (typeof EVENT_CONFLICT_KINDS)[number]
  | (typeof AUDIENCE_CONFLICT_KINDS)[number];
export type ConflictStatus = 'OPEN' | 'RESOLVED' | 'IGNORED';

@Entity('conflict')
export class ConflictEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar' })
  kind: ConflictKind;

  @Column({ type: 'varchar' })
  pepperUserId: string;

  @Column({ type: 'simple-json' })
  candidateContactIds: string[];

  @Column({ type: 'simple-json' })
  details: Record<string, unknown>;

  @Column({ type: 'varchar' })
  status: ConflictStatus;

  /** kind:user for matching and balance kinds, kind:event for per-event kinds; unique among OPEN rows. */
  @Column({ type: 'varchar' })
  dedupeKey: string;

  @Column({ type: 'varchar', nullable: true })
  resolution: string | null;

  @Column({ type: 'varchar', nullable: true })
  resolvedBy: string | null;

  @Column({ type: 'datetime', nullable: true })
  resolvedAt: Date | null;

  /** set while an operator's resolution runs; only one claim at a time */
  @Column({ type: 'varchar', nullable: true })
  claimedBy: string | null;

  @Column({ type: 'datetime', nullable: true })
  claimedAt: Date | null;

  @CreateDateColumn({ type: 'datetime' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt: Date;
}
