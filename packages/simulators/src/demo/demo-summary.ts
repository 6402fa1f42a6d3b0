import type { ConflictEntity } from '../../../../src/persistence/entities';
import type { ListPage } from '../../../../src/persistence/stores/page';
import type { CrmComSimulator } from '../crmcom';

interface StatusView {
  totals: {
    links: Record<string, number>;
    linksByMatch: Record<string, number>;
    openConflicts: number;
    openConflictsByKind: Record<string, number>;
    failedEvents: number;
  };
}

export const row = (label: string, value: number | string) => `   ${label.padEnd(42, '.')} ${value}`;

/** The readable end of the demo: what the connector did, and what it left for an operator. */
export async function printSummary(
  say: (line?: string) => void,
  status: StatusView,
  openConflicts: ListPage<ConflictEntity>,
  crm: CrmComSimulator,
  extraRows: string[] = [],
): Promise<void> {
  const { totals } = status;
  say('5. Summary');
  say(row('users linked to a CRM.COM contact', totals.links.LINKED ?? 0));
  say(row('  of which matched by contact code', totals.linksByMatch.CODE ?? 0));
  say(row('  of which matched by verified email', totals.linksByMatch.EMAIL ?? 0));
  say(row('  of which matched by verified phone', totals.linksByMatch.PHONE ?? 0));
  say(row('  of which got a new contact (created)', totals.linksByMatch.CREATED ?? 0));
  say(row('users in conflict (not linked)', totals.links.CONFLICT ?? 0));
  say(row('links marked DELETED', totals.links.DELETED ?? 0));
  say(row('open conflicts', totals.openConflicts));
  say(row('failed (parked) events', totals.failedEvents));
  say(row('CRM.COM contacts now', crm.contacts().length));
  for (const line of extraRows) say(line);
  say();
  say('   Conflicts for the loyalty team to review (GET /admin/conflicts?status=open):');
  for (const [kind, count] of Object.entries(totals.openConflictsByKind)) {
    const example = openConflicts.items.find((c) => c.kind === kind);
    const reason = (example?.details as { reason?: string } | undefined)?.reason ?? '';
    say(`   - ${kind.padEnd(26)} ${String(count).padStart(3)}  e.g. user ${example?.pepperUserId} → contacts ${example?.candidateContactIds.join(', ')}: ${reason}`);
  }
}
