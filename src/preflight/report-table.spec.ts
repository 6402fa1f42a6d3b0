import { formatReport, summaryLine, wrap } from './report-table';
import { CheckResult } from './preflight.types';

const row = (verdict: CheckResult['verdict'], seen = 'seen'): CheckResult => ({ id: 'x', check: 'A check', expected: 'expected', seen, verdict, fix: '' });

describe('the preflight table', () => {
  it('wraps words to the column and cuts a word longer than it', () => {
    expect(wrap('a bb ccc dddd', 6)).toEqual(['a bb', 'ccc', 'dddd']);
    expect(wrap('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrap('', 4)).toEqual(['']);
  });

  it('keeps every line the same width, and ends with the counts', () => {
    const report = { results: [row('PASS'), row('WARN', 'a long text that needs more than one line of the seen column to be shown in full, really')], failed: false };
    const lines = formatReport(report).split('\n');
    const table = lines.slice(0, -1);
    expect(new Set(table.map((l) => l.length)).size).toBe(1);
    expect(lines.at(-1)).toBe('Preflight passed (1 PASS, 1 WARN, 0 FAIL, 0 SKIP): read each WARN. Next: a day in SYNC_MODE=shadow, then live.');
  });

  it('says FAILED when a row fails', () => {
    expect(summaryLine({ results: [row('FAIL'), row('SKIP')], failed: true })).toBe('Preflight FAILED (0 PASS, 0 WARN, 1 FAIL, 1 SKIP): fix each FAIL before go-live.');
  });
});
