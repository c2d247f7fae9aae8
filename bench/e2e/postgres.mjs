// PostgreSQL 15 (Debian's postgresql): one server, fsync and synchronous commit on (its
// defaults), max_connections raised to take the largest client count; pgbench's TPC-B-like
// transaction (scale 10), prepared statements, the same client counts as the others.
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

import { cpuMicros, freeBase, loadAverage, run } from './procs.mjs';

const BIN = '/usr/lib/postgresql/15/bin';

function percentile(sorted, p) {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

export class Postgres {
  constructor({ workDir, maxClients }) {
    this.dir = path.join(workDir, 'postgres');
    this.data = path.join(this.dir, 'data');
    this.maxClients = maxClients;
  }

  // PostgreSQL refuses to run as root: the server runs as the postgres user.
  asPostgres(command, args, options = {}) {
    if (process.getuid() !== 0) return run(command, args, options);
    return run('runuser', ['-u', 'postgres', '--', command, ...args], options);
  }

  async up() {
    await run('rm', ['-rf', this.dir]);
    mkdirSync(this.dir, { recursive: true });
    if (process.getuid() === 0) await run('chown', ['postgres:postgres', this.dir]);
    this.port = await freeBase([0]);
    await this.asPostgres(path.join(BIN, 'initdb'), ['-D', this.data, '-A', 'trust', '-U', 'postgres']);
    const options = `-p ${this.port} -k ${this.dir} -c fsync=on -c synchronous_commit=on ` +
      `-c max_connections=${this.maxClients + 20}`;
    await this.asPostgres(path.join(BIN, 'pg_ctl'),
      ['-D', this.data, '-l', path.join(this.dir, 'server.log'), '-o', options, '-w', 'start']);
    this.pid = Number(readFileSync(path.join(this.data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    await run(path.join(BIN, 'pgbench'), [...this.connection(), '-i', '-s', '10', '-q', 'postgres']);
  }

  connection() {
    return ['-h', this.dir, '-p', String(this.port), '-U', 'postgres'];
  }

  async down() {
    await this.asPostgres(path.join(BIN, 'pg_ctl'), ['-D', this.data, '-m', 'fast', 'stop'],
      { allowFailure: true });
  }

  async load({ connections, seconds }) {
    const logs = path.join(this.dir, `logs-${connections}`);
    mkdirSync(logs, { recursive: true });
    const before = cpuMicros([this.pid]);
    const loadBefore = loadAverage();
    // pgbench opens its clients one by one before it starts, and its -T counts that time (256
    // took 13 s on a loaded 2-core machine): an allowance, left out of its tps and the log.
    const allowance = Math.ceil(connections / 16);
    const { stdout } = await run(path.join(BIN, 'pgbench'),
      [...this.connection(), '-c', String(connections), '-j', String(Math.min(2, connections)),
        '-T', String(seconds + allowance), '-M', 'prepared', '-l', '--log-prefix',
        path.join(logs, 'tx'), 'postgres']);
    const after = cpuMicros([this.pid]);
    const latencies = [];
    for (const file of readdirSync(logs)) {
      for (const line of readFileSync(path.join(logs, file), 'utf8').split('\n')) {
        const fields = line.split(' ');
        if (fields.length >= 3) latencies.push(Number(fields[2]));
      }
    }
    rmSync(logs, { recursive: true, force: true });
    latencies.sort((a, b) => a - b);
    const tps = Number((/tps = ([0-9.]+)/.exec(stdout) ?? [0, 0])[1]);
    const connectMs = Number((/initial connection time = ([0-9.]+) ms/.exec(stdout) ?? [0, 0])[1]);
    const failed = Number((/number of failed transactions: ([0-9]+)/.exec(stdout) ?? [0, 0])[1]);
    return {
      name: 'pgbench TPC-B',
      connections,
      seconds: seconds + allowance - connectMs / 1000,
      requests: latencies.length,
      ok: latencies.length,
      non2xx: failed,
      timeouts: 0,
      requestsPerSecond: tps,
      okPerSecond: tps,
      latencyMs: { p50: percentile(latencies, 50) / 1000, p90: percentile(latencies, 90) / 1000,
        p99: percentile(latencies, 99) / 1000, max: (latencies.at(-1) ?? 0) / 1000 },
      connectSeconds: connectMs / 1000,
      serverCpuMicrosPerRequest: latencies.length ? (after[0] - before[0]) / latencies.length : 0,
      load: { before: loadBefore, after: loadAverage() },
    };
  }
}
