// The e2e benchmark's report: the table with every comparison as a ratio, the targets, the
// JSON and the gnuplot plot.
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { run } from './procs.mjs';

const f0 = (x) => (x === undefined ? '—' : Math.round(x).toLocaleString('en-US'));
const f1 = (x) => (x === undefined ? '—' : x.toFixed(x < 10 ? 2 : 1));
const ratio = (a, b) => (a === undefined || !b ? '—' : `${(a / b).toFixed(2)}×`);

function errorsOf(r) {
  if (!r) return '—';
  const parts = [];
  for (const [code, count] of Object.entries(r.statuses ?? {}))
    if (code < 200 || code >= 300) parts.push(`${count}×${code}`);
  if (r.timeouts) parts.push(`${r.timeouts} timeouts (answered after 2 s)`);
  const e = r.errors ?? {};
  const socket = (e.connect ?? 0) + (e.read ?? 0) + (e.write ?? 0);
  if (socket) parts.push(`${socket} socket errors`);
  if (!r.statuses && r.non2xx) parts.push(`${r.non2xx} failed`);
  return parts.length ? parts.join(', ') : '0';
}

// wrk records no latency for an answer slower than its timeout (it counts a timeout).
const latency = (r) => {
  if (!r) return '—';
  if (r.latencyMs.max === 0 && r.timeouts > 0) return 'all > 2,000 (timeouts)';
  return `${f1(r.latencyMs.p50)} / ${f1(r.latencyMs.p99)} / ${f1(r.latencyMs.max)}`;
};
const checks = (r) => {
  if (!r?.checks) return '—';
  const c = r.checks;
  return c.checksClean && c.digestsEqual && c.noAcknowledgedMissing && c.inputsMatchTransactions
    ? 'clean' : `FAILED ${JSON.stringify(c)}`;
};

export function table(results) {
  const byConnections = (list, c) => list.find((r) => r.connections === c);
  const lines = [];
  const stall = (r) => f1(r?.checks?.loopStallMaxMs);
  lines.push('| connections | Tally transfers/s | p50 / p99 / max ms | errors | checks | worst loop stall ms | etcd puts/s | p50 / p99 / max ms | Tally ÷ etcd | PostgreSQL tps | p50 / p99 / max ms | Tally ÷ PostgreSQL |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const c of results.connections) {
    const t = byConnections(results.tally.single, c);
    const e = byConnections(results.etcd ?? [], c);
    const p = byConnections(results.postgres ?? [], c);
    lines.push(`| ${c} | ${f0(t?.transfersPerSecond)} | ${latency(t)} | ${errorsOf(t)} | ${checks(t)} | ${stall(t)} | ` +
      `${f0(e?.okPerSecond)} | ${latency(e)} | ${ratio(t?.transfersPerSecond, e?.okPerSecond)} | ` +
      `${f0(p?.okPerSecond)} | ${latency(p)} | ${ratio(t?.transfersPerSecond, p?.okPerSecond)} |`);
  }
  lines.push('');
  lines.push('| bulk of 100 | connections | requests/s | transfers/s | p50 / p99 / max ms | errors | checks | worst loop stall ms |');
  lines.push('|---|---|---|---|---|---|---|---|');
  for (const r of results.tally.bulk) {
    lines.push(`| ${r.name} | ${r.connections} | ${f1(r.requestsPerSecond)} | ${f0(r.transfersPerSecond)} | ` +
      `${latency(r)} | ${errorsOf(r)} | ${checks(r)} | ${stall(r)} |`);
  }
  return lines.join('\n');
}

// Where each Tally point's CPU went, per transfer, and how busy the machine was: a point
// bound by CPU runs the machine near 100%, and its transfers/s over that fraction is what the
// same costs allow with every core busy.
export function cpuTable(results) {
  const lines = ['| point | connections | transfers/s | machine busy | leader µs/transfer | follower µs/transfer (mean) | load generator µs/transfer | transfers/s ÷ busy |',
    '|---|---|---|---|---|---|---|---|'];
  for (const r of [...results.tally.single, ...results.tally.bulk]) {
    const c = r.cpu;
    if (!c) continue;
    lines.push(`| ${r.name} | ${r.connections} | ${f0(r.transfersPerSecond)} | ${(100 * c.machineBusy).toFixed(0)}% of ${c.cores} cores | ` +
      `${f1(c.leaderMicrosPerTransfer)} | ${f1(c.followerMicrosPerTransfer)} | ${f1(c.generatorMicrosPerTransfer)} | ` +
      `${f0(r.transfersPerSecond / Math.max(c.machineBusy, 1e-9))} |`);
  }
  return lines.join('\n');
}

// The cost of TLS: the single transfer on fresh clusters with the API over HTTPS or plain
// HTTP and Raft over mutual TLS or plaintext, each row as a ratio to the plainest.
export function tlsTable(rows) {
  const lines = ['| API | peers | connections | transfers/s | p50 / p99 / max ms | errors | checks | ÷ plain HTTP, plaintext peers | server CPU µs/request | load |',
    '|---|---|---|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    lines.push(`| ${r.api} | ${r.peers} | ${r.connections} | ${f0(r.transfersPerSecond)} | ${latency(r)} | ` +
      `${errorsOf(r)} | ${checks(r)} | ${r.ratioToPlain.toFixed(2)}× | ${f0(r.serverCpuMicrosPerRequest)} | ` +
      `${r.load.before.toFixed(1)} |`);
  }
  return lines.join('\n');
}

// The targets, each with its verdict.
export function targets(results) {
  const t = (c) => results.tally.single.find((r) => r.connections === c);
  const e = (c) => (results.etcd ?? []).find((r) => r.connections === c);
  const p = (c) => (results.postgres ?? []).find((r) => r.connections === c);
  const out = [];
  const add = (what, measured, met) => out.push({ target: what, measured, met });
  if (t(64) && e(64)) add('64 connections ≥ 2× etcd puts/s', ratio(t(64).transfersPerSecond, e(64).okPerSecond),
    t(64).transfersPerSecond >= 2 * e(64).okPerSecond);
  if (t(64) && p(64)) add('64 connections ≥ 3× pgbench tps', ratio(t(64).transfersPerSecond, p(64).okPerSecond),
    t(64).transfersPerSecond >= 3 * p(64).okPerSecond);
  if (t(64)) add('64 connections p99 ≤ 50 ms', `${f1(t(64).latencyMs.p99)} ms`, t(64).latencyMs.p99 <= 50);
  if (t(16) && e(16)) add('16 connections ≥ 1× etcd', ratio(t(16).transfersPerSecond, e(16).okPerSecond),
    t(16).transfersPerSecond >= e(16).okPerSecond);
  if (t(1)) add('1 connection p99 ≤ 5 ms', `${f1(t(1).latencyMs.p99)} ms`, t(1).latencyMs.p99 <= 5);
  for (const r of results.tally.bulk) {
    add(`${r.name}: ≥ 50,000 transfers/s`, f0(r.transfersPerSecond), r.transfersPerSecond >= 50000);
    add(`${r.name}: p99 ≤ 100 ms`, `${f1(r.latencyMs.p99)} ms`, r.latencyMs.p99 <= 100);
  }
  if (t(256)) add('256 connections: no error, no timeout', errorsOf(t(256)),
    errorsOf(t(256)) === '0');
  const all = [...results.tally.single, ...results.tally.bulk];
  add('after every run: checker clean, digests equal, no acknowledged transfer missing',
    all.every((r) => checks(r) === 'clean') ? 'clean' : 'FAILED', all.every((r) => checks(r) === 'clean'));
  return out;
}

export function targetsTable(list) {
  return ['| target | measured | |', '|---|---|---|',
    ...list.map((x) => `| ${x.target} | ${x.measured} | ${x.met ? 'met' : 'missed'} |`)].join('\n');
}

// Two runs of the same script, back to back: every row with its ratio.
export function compare(before, after) {
  const lines = ['| row | before | after | after ÷ before |', '|---|---|---|---|'];
  const row = (label, a, b, unit = '') =>
    lines.push(`| ${label} | ${a === undefined ? '—' : f1(a) + unit} | ${b === undefined ? '—' : f1(b) + unit} | ${ratio(b, a)} |`);
  const pick = (results, name, c) =>
    [...results.tally.single, ...results.tally.bulk].find((r) => r.name === name && r.connections === c);
  for (const r of [...after.tally.single, ...after.tally.bulk]) {
    const b = pick(before, r.name, r.connections);
    const label = `${r.name}, ${r.connections} conn.`;
    row(`${label}: transfers/s`, b?.transfersPerSecond, r.transfersPerSecond);
    row(`${label}: p50 ms`, b?.latencyMs.p50, r.latencyMs.p50);
    row(`${label}: p99 ms`, b?.latencyMs.p99, r.latencyMs.p99);
    lines.push(`| ${label}: errors | ${errorsOf(b)} | ${errorsOf(r)} | |`);
  }
  return lines.join('\n');
}

export async function plot(results, outDir) {
  const data = path.join(outDir, 'e2e.dat');
  const rows = results.connections.map((c) => {
    const get = (list) => list?.find((r) => r.connections === c);
    const cells = [get(results.tally.single), get(results.etcd), get(results.postgres)];
    return [c, ...cells.map((r) => r?.okPerSecond ?? r?.transfersPerSecond ?? 'NaN'),
      ...cells.map((r) => r?.latencyMs.p99 ?? 'NaN')].join(' ');
  });
  writeFileSync(data, rows.join('\n') + '\n');
  const script = `
set terminal pngcairo size 1100,450 font ",10"
set output "${path.join(outDir, 'e2e.png')}"
set multiplot layout 1,2 title "Tally (3 nodes) vs etcd 3.4 (3 members) vs PostgreSQL 15 (pgbench TPC-B), one machine"
set logscale x 2
set xlabel "connections"
set key top left
set ylabel "writes/s (transfers, puts, tps)"
plot "${data}" u 1:2 w lp t "Tally transfers/s", "" u 1:3 w lp t "etcd puts/s", "" u 1:4 w lp t "pgbench tps"
set ylabel "p99 latency (ms)"
set logscale y
plot "${data}" u 1:5 w lp t "Tally", "" u 1:6 w lp t "etcd", "" u 1:7 w lp t "PostgreSQL"
unset multiplot
`;
  const scriptFile = path.join(outDir, 'e2e.gnuplot');
  writeFileSync(scriptFile, script);
  await run('gnuplot', [scriptFile], { allowFailure: true });
}
