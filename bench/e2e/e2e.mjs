#!/usr/bin/env node
// The end-to-end benchmark (bench/e2e/README.md): Tally as a user runs it against etcd and
// PostgreSQL on the same machine, driven by the same load generator.
//
//   node bench/e2e/e2e.mjs --bin build/bench/native --out build/bench/results [--seconds 10]
//       [--accounts 1000] [--only tally,tls,etcd,postgres] [--label NAME]
//   (tls: the cost of TLS, the single transfer at 16 and 64 connections on three fresh
//   clusters back to back: HTTPS and peer TLS, plain HTTP and peer TLS, plain HTTP and
//   plaintext peers)
//   node bench/e2e/e2e.mjs compare BEFORE.json AFTER.json   (a before/after table)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { EtcdCluster } from './etcd.mjs';
import { Postgres } from './postgres.mjs';
import { loadAverage, sleep } from './procs.mjs';
import { compare, cpuTable, plot, table, targets, targetsTable, tlsTable } from './report.mjs';
import { routes } from './routes.mjs';
import { TallyCluster } from './tally.mjs';

const CONNECTIONS = [1, 16, 64, 256];
const BULK = 100;
const BULK_CONNECTIONS = 16;
const TLS_CONNECTIONS = [16, 64];
// The cost of TLS: each variant a fresh cluster, the same load, one after the other.
const TLS_VARIANTS = [
  { api: 'https', peers: 'mutual TLS', apiPlaintext: false, insecurePeers: false },
  { api: 'http', peers: 'mutual TLS', apiPlaintext: true, insecurePeers: false },
  { api: 'http', peers: 'plaintext', apiPlaintext: true, insecurePeers: true },
];

function parseArgs(argv) {
  const args = { seconds: 10, accounts: 1000, only: 'tally,tls,etcd,postgres', label: 'e2e' };
  for (let i = 0; i < argv.length; i += 2) args[argv[i].replace(/^--/, '')] = argv[i + 1];
  args.seconds = Number(args.seconds);
  args.accounts = Number(args.accounts);
  args.only = new Set(args.only.split(','));
  if (!args.bin || !args.out) throw new Error('usage: e2e.mjs --bin DIR --out DIR [...]');
  return args;
}

const say = (line) => process.stdout.write(`e2e: ${line}\n`);
const brief = (r) => `${r.name} x${r.connections}: ${Math.round(r.transfersPerSecond ?? r.okPerSecond)}/s, ` +
  `p50 ${r.latencyMs.p50.toFixed(2)} p99 ${r.latencyMs.p99.toFixed(2)} max ${r.latencyMs.max.toFixed(1)} ms, ` +
  `non-2xx ${r.non2xx}, timeouts ${r.timeouts}, server CPU ${Math.round(r.serverCpuMicrosPerRequest)} us/request, ` +
  (r.cpu?.followerMicrosPerTransfer !== undefined ? `leader ${r.cpu.leaderMicrosPerTransfer?.toFixed(1) ?? '?'} / follower ${r.cpu.followerMicrosPerTransfer.toFixed(1)} us/transfer, machine ${(100 * r.cpu.machineBusy).toFixed(0)}% busy, ` : '') +
  `load ${r.load.before.toFixed(1)}` + (r.peakRssMiB ? `, peak RSS ${r.peakRssMiB} MiB` : '') +
  (r.residentMiB ? ` (now ${r.residentMiB.anon} MiB anonymous, ${r.residentMiB.file} MiB mapped files)` : '') +
  (r.snapshotsTaken !== undefined ? `, snapshots ${r.snapshotsTaken}` : '');

async function runTally(args, workDir) {
  const cluster = new TallyCluster({ binDir: args.bin, workDir, accounts: args.accounts });
  const results = { single: [], bulk: [] };
  try {
    await cluster.up();
    await cluster.fund();
    results.settings = cluster.settings;
    say(`tally: 3 nodes up (${JSON.stringify(cluster.settings)}), ${args.accounts} accounts funded`);
    const single = { script: 'transfer.lua', path: routes.transactions('bench'), perRequest: 1 };
    await cluster.load({ ...single, name: 'warm-up', connections: 16, seconds: 2 });
    for (const connections of CONNECTIONS) {
      const r = await cluster.load({ ...single, name: 'transfer', connections, seconds: args.seconds });
      say(brief(r));
      results.single.push(r);
    }
    for (const atomic of [false, true]) {
      const r = await cluster.load({ script: 'bulk.lua', path: routes.bulk('bench', atomic),
        name: atomic ? 'bulk-100 atomic' : 'bulk-100', connections: BULK_CONNECTIONS,
        seconds: args.seconds, perRequest: BULK, env: { E2E_BULK: String(BULK) } });
      say(brief(r));
      results.bulk.push(r);
    }
  } finally {
    await cluster.down();
  }
  return results;
}

async function runTlsCost(args, workDir) {
  const rows = [];
  const single = { script: 'transfer.lua', path: routes.transactions('bench'), perRequest: 1 };
  for (const variant of TLS_VARIANTS) {
    const cluster = new TallyCluster({ binDir: args.bin, workDir, accounts: args.accounts,
      apiPlaintext: variant.apiPlaintext, insecurePeers: variant.insecurePeers });
    try {
      await cluster.up();
      if (cluster.scheme !== variant.api) throw new Error(`asked for ${variant.api}, got ${cluster.scheme}`);
      await cluster.fund();
      await cluster.load({ ...single, name: 'warm-up', connections: 16, seconds: 2 });
      for (const connections of TLS_CONNECTIONS) {
        const r = await cluster.load({ ...single, name: `transfer, API ${variant.api}, peers ${variant.peers}`,
          connections, seconds: args.seconds });
        r.api = variant.api;
        r.peers = variant.peers;
        say(brief(r));
        rows.push(r);
      }
    } finally {
      await cluster.down();
    }
  }
  // Each variant's transfers/s over the plainest one's, at each connection count.
  const plain = (c) => rows.find((r) => r.api === 'http' && r.peers === 'plaintext' && r.connections === c);
  for (const r of rows) r.ratioToPlain = r.transfersPerSecond / plain(r.connections).transfersPerSecond;
  return rows;
}

async function runPeer(name, peer, args) {
  const results = [];
  try {
    await peer.up();
    say(`${name}: up`);
    await peer.load({ connections: 16, seconds: 2 });
    for (const connections of CONNECTIONS) {
      const r = await peer.load({ connections, seconds: args.seconds });
      say(brief(r));
      results.push(r);
    }
  } finally {
    await peer.down();
  }
  return results;
}

async function main() {
  if (process.argv[2] === 'compare') {
    const [before, after] = process.argv.slice(3).map((file) => JSON.parse(readFileSync(file, 'utf8')));
    process.stdout.write(compare(before, after) + '\n');
    return;
  }
  const args = parseArgs(process.argv.slice(2));
  // Absolute: PostgreSQL resolves its socket directory from its data directory.
  const workDir = path.resolve(args.out, `${args.label}-work`);
  mkdirSync(workDir, { recursive: true });
  const started = Date.now();
  const results = {
    label: args.label,
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30) },
    loadAtStart: loadAverage(),
    seconds: args.seconds,
    accounts: args.accounts,
    connections: CONNECTIONS,
  };
  if (args.only.has('tally')) results.tally = await runTally(args, workDir);
  if (args.only.has('tls')) results.tlsCost = await runTlsCost(args, workDir);
  if (args.only.has('etcd'))
    results.etcd = await runPeer('etcd', new EtcdCluster({ workDir, keys: args.accounts }), args);
  if (args.only.has('postgres'))
    results.postgres = await runPeer('postgres',
      new Postgres({ workDir, maxClients: Math.max(...CONNECTIONS) }), args);
  results.loadAtEnd = loadAverage();
  results.wallSeconds = (Date.now() - started) / 1000;
  if (results.tally) results.targets = targets(results);
  writeFileSync(path.join(args.out, `${args.label}.json`), JSON.stringify(results, null, 1) + '\n');
  if (results.tally || results.tlsCost) {
    const parts = [];
    if (results.tally) parts.push(table(results), cpuTable(results), targetsTable(results.targets));
    if (results.tlsCost) parts.push(tlsTable(results.tlsCost));
    const text = `${parts.join('\n\n')}\n`;
    writeFileSync(path.join(args.out, `${args.label}-table.md`), text);
    if (results.tally) await plot(results, args.out);
    process.stdout.write(`\n${text}\n`);
  }
  say(`done in ${results.wallSeconds.toFixed(0)} s, load average ${results.loadAtStart.toFixed(1)} at start, ` +
    `${results.loadAtEnd.toFixed(1)} at end; ${path.join(args.out, args.label + '.json')}`);
  const failed = (results.targets ?? []).find((t) => t.target.startsWith('after every run') && !t.met);
  const clean = (c) => c.checksClean && c.digestsEqual && c.noAcknowledgedMissing && c.inputsMatchTransactions;
  if (failed || (results.tlsCost ?? []).some((r) => !clean(r.checks))) process.exitCode = 1;
}

main().catch((error) => {
  process.stderr.write(`e2e: ${error.stack ?? error}\n`);
  process.exitCode = 1;
});
