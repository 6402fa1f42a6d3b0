/**
 * `npx ts-node --transpile-only bench/heap-summary.ts <early.heapsnapshot> [<late.heapsnapshot>]`: the heap by
 * constructor (objects, arrays, strings, closures, compiled code…), largest first, and with two snapshots what grew
 * between them. Reads the V8 snapshot format directly: no dependency. For finding what grows with the number of users
 * (`npm run bench -- --heap-snapshots` writes one at 10 % of the seed and one at its end).
 */
import { readFileSync } from 'node:fs';

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

interface Group {
  count: number;
  bytes: number;
}

function groups(path: string): Map<string, Group> {
  const heap = JSON.parse(readFileSync(path, 'utf8')) as HeapSnapshot;
  const fields = heap.snapshot.meta.node_fields;
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const types = heap.snapshot.meta.node_types[0];
  const byName = new Map<string, Group>();
  for (let i = 0; i < heap.nodes.length; i += width) {
    const type = types[heap.nodes[i + typeAt]];
    // Strings and code are grouped by their type; objects by their constructor's name.
    const name = type === 'object' || type === 'closure' ? `${type} ${heap.strings[heap.nodes[i + nameAt]]}` : `(${type})`;
    const group = byName.get(name) ?? { count: 0, bytes: 0 };
    group.count += 1;
    group.bytes += heap.nodes[i + sizeAt];
    byName.set(name, group);
  }
  return byName;
}

const mib = (bytes: number): string => (bytes / 1048576).toFixed(2);

function main(): void {
  const [early, late] = process.argv.slice(2);
  if (!early) throw new Error('usage: heap-summary.ts <early.heapsnapshot> [<late.heapsnapshot>]');
  const first = groups(early);
  const total = (g: Map<string, Group>): number => [...g.values()].reduce((sum, x) => sum + x.bytes, 0);
  process.stdout.write(`${early}: ${mib(total(first))} MiB in the heap\n\n| kind | objects | MiB |\n|---|---:|---:|\n`);
  for (const [name, g] of [...first.entries()].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 20)) {
    process.stdout.write(`| ${name} | ${g.count} | ${mib(g.bytes)} |\n`);
  }
  if (!late) return;
  const second = groups(late);
  process.stdout.write(`\n${late}: ${mib(total(second))} MiB; grown since the first, largest first:\n\n| kind | objects (+) | MiB (+) |\n|---|---:|---:|\n`);
  const growth = [...second.entries()].map(([name, g]) => {
    const before = first.get(name) ?? { count: 0, bytes: 0 };
    return { name, count: g.count - before.count, bytes: g.bytes - before.bytes };
  });
  for (const g of growth.sort((a, b) => b.bytes - a.bytes).slice(0, 20)) {
    process.stdout.write(`| ${g.name} | ${g.count} | ${mib(g.bytes)} |\n`);
  }
}

main();
