import { CheckResult, PreflightReport } from './preflight.types';

const COLUMNS: Array<{ title: string; width: number; cell: (r: CheckResult) => string }> = [
  { title: 'Check', width: 24, cell: (r) => r.check },
  { title: 'Expected', width: 34, cell: (r) => r.expected },
  { title: 'Seen', width: 44, cell: (r) => r.seen },
  { title: 'Verdict', width: 7, cell: (r) => r.verdict },
  { title: 'What to change', width: 40, cell: (r) => r.fix },
];

/** Words wrapped to the width; a word longer than the width is cut. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    for (let rest = word; rest !== ''; ) {
      const room = line === '' ? width : width - line.length - 1;
      if (rest.length <= room) {
        line = line === '' ? rest : `${line} ${rest}`;
        rest = '';
      } else if (line !== '') {
        lines.push(line);
        line = '';
      } else {
        lines.push(rest.slice(0, width));
        rest = rest.slice(width);
      }
    }
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

/** The report as a plain-text table (one block per check, cells wrapped), then a one-line summary. */
export function formatReport(report: PreflightReport): string {
  const rule = `+${COLUMNS.map((c) => '-'.repeat(c.width + 2)).join('+')}+`;
  const rowLines = (cells: string[]): string[] => {
    const wrapped = cells.map((text, i) => wrap(text, COLUMNS[i].width));
    const height = Math.max(...wrapped.map((w) => w.length));
    return Array.from({ length: height }, (_, line) => `| ${wrapped.map((w, i) => (w[line] ?? '').padEnd(COLUMNS[i].width)).join(' | ')} |`);
  };
  const out = [rule, ...rowLines(COLUMNS.map((c) => c.title)), rule];
  for (const result of report.results) out.push(...rowLines(COLUMNS.map((c) => c.cell(result))), rule);
  out.push(summaryLine(report));
  return out.join('\n');
}

export function summaryLine(report: PreflightReport): string {
  const count = (v: string): number => report.results.filter((r) => r.verdict === v).length;
  const counts = `${count('PASS')} PASS, ${count('WARN')} WARN, ${count('FAIL')} FAIL, ${count('SKIP')} SKIP`;
  return report.failed
    ? `Preflight FAILED (${counts}): fix each FAIL before go-live.`
    : `Preflight passed (${counts})${count('WARN') > 0 ? ': read each WARN' : ''}. Next: a day in SYNC_MODE=shadow, then live.`;
}
