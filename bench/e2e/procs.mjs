// Processes, ports, HTTP and the load generator for the e2e benchmark.
import { execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const here = path.dirname(fileURLToPath(import.meta.url));
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Runs a command to completion; rejects on a non-zero exit unless allowFailure.
export function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 64 << 20, ...options }, (error, stdout, stderr) => {
      const result = { code: error ? error.code ?? 1 : 0, stdout, stderr };
      if (error && !options.allowFailure) {
        reject(new Error(`${command} ${args.join(' ')} failed (${result.code}): ${stderr || stdout}`));
      } else {
        resolve(result);
      }
    });
  });
}

// A long-running child (a server); its output goes to logFile.
export function start(command, args, logFd, options = {}) {
  const child = spawn(command, args, { stdio: ['ignore', logFd, logFd], ...options });
  child.on('error', () => {});
  return child;
}

function portFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

// A base port B such that every B + offset is free (tests and benches never hard-code one).
export async function freeBase(offsets) {
  for (let attempt = 0; attempt < 200; ++attempt) {
    const base = 20000 + Math.floor(Math.random() * 3000) * 10;
    let ok = true;
    for (const offset of offsets) ok = ok && (await portFree(base + offset));
    if (ok) return base;
  }
  throw new Error('no free port range found');
}

// The bearer token sent with every request (Tally's admin token; none for etcd/PostgreSQL),
// and the CA an https:// server's certificate must verify under (Tally's cluster CA).
let bearer;
let trustedCa;
export function useBearerToken(token) {
  bearer = token;
}
export function useCa(pem) {
  trustedCa = pem;
}
const authorization = () => (bearer ? { authorization: `Bearer ${bearer}` } : {});

// One request, its status and body text: node:http or node:https (with the trusted CA, which
// fetch cannot take per request).
function request(url, { method = 'GET', headers = {}, body, timeoutMs }) {
  const secure = url.startsWith('https://');
  const client = secure ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, { method, headers, timeout: timeoutMs,
      ...(secure && trustedCa ? { ca: trustedCa } : {}) }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => { text += chunk; });
      response.on('end', () => resolve({ status: response.statusCode, text }));
      response.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms: ${url}`)));
    req.on('error', reject);
    req.end(body);
  });
}

export async function getJson(url, timeoutMs = 30000) {
  const { status, text } = await request(url, { headers: authorization(), timeoutMs });
  return { status, body: JSON.parse(text) };
}

export async function postForJson(url, body, timeoutMs = 30000) {
  const { status, text } = await postJson(url, body, timeoutMs);
  return { status, body: JSON.parse(text) };
}

export async function postJson(url, body, timeoutMs = 30000) {
  const text = body === undefined ? '' : JSON.stringify(body);
  return request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text),
      ...authorization() },
    body: text,
    timeoutMs,
  });
}

export async function waitFor(what, check, timeoutMs = 30000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch {
      // not up yet
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

// CPU time (user + system, in microseconds) of each process so far, with its reaped
// children's and that of the children still running (PostgreSQL's backends and workers).
export function cpuMicros(pids) {
  const tick = 1e6 / 100;  // USER_HZ
  const stat = (pid) => {
    try {
      return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ').map(Number);
    } catch {
      return null;
    }
  };
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    const fields = stat(entry);
    if (fields) children.set(fields[1], [...(children.get(fields[1]) ?? []), fields]);
  }
  return pids.map((pid) => {
    const own = stat(pid);
    if (!own) return 0;
    let ticks = own[11] + own[12] + own[13] + own[14];
    for (const child of children.get(pid) ?? []) ticks += child[11] + child[12];
    return ticks * tick;
  });
}

export const loadAverage = () => os.loadavg()[0];

// The machine's CPU time so far, in USER_HZ ticks over every core: busy (neither idle nor
// waiting for I/O) and in all.
export function machineTicks() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  return { busy: total - fields[3] - fields[4], total };
}

// CPU time (microseconds) of this process's children that have ended and been waited for:
// the load generator's, read around its run.
function reapedChildrenCpuMicros() {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ').map(Number);
  return (fields[13] + fields[14]) * (1e6 / 100);
}

// One wrk run: C keep-alive connections for the given seconds, a 2 s request timeout, the Lua
// script's figures (common.lua) plus the CPU the server processes used per request.
export async function wrk({ script, url, connections, seconds, env, serverPids }) {
  const threads = Math.min(2, connections);
  const before = cpuMicros(serverPids);
  const machineBefore = machineTicks();
  const generatorBefore = reapedChildrenCpuMicros();
  const loadBefore = loadAverage();
  const { stdout } = await run(
    'wrk',
    ['-t', String(threads), '-c', String(connections), '-d', `${seconds}s`, '--timeout', '2s',
      '-s', path.join(here, script), url],
    { env: { ...process.env, E2E_LUA_DIR: here, ...env } });
  const after = cpuMicros(serverPids);
  const machineAfter = machineTicks();
  const generatorCpu = reapedChildrenCpuMicros() - generatorBefore;
  const line = stdout.split('\n').find((l) => l.startsWith('E2E_RESULT '));
  if (!line) throw new Error(`wrk printed no result:\n${stdout}`);
  const result = JSON.parse(line.slice('E2E_RESULT '.length));
  const seconds_ = result.duration_us / 1e6;
  let ok = 0;
  let other = 0;
  for (const [code, count] of Object.entries(result.statuses)) {
    if (code >= 200 && code < 300) ok += count;
    else other += count;
  }
  const cpu = after.reduce((sum, value, i) => sum + value - before[i], 0);
  return {
    connections,
    seconds: seconds_,
    requests: result.requests,
    ok,
    non2xx: other,
    statuses: result.statuses,
    errors: result.errors,
    timeouts: result.errors.timeout,
    requestsPerSecond: result.requests / seconds_,
    okPerSecond: ok / seconds_,
    latencyMs: {
      p50: result.latency_us.p50 / 1000,
      p90: result.latency_us.p90 / 1000,
      p99: result.latency_us.p99 / 1000,
      max: result.latency_us.max / 1000,
    },
    serverCpuMicrosPerRequest: result.requests ? cpu / result.requests : 0,
    // Where the CPU went, per request: each server process (in serverPids' order) and the load
    // generator; and how busy the whole machine was (1: every core, all the time), which says
    // whether the run was bound by CPU or by waiting.
    cpu: {
      serverMicrosPerRequest: after.map((value, i) => (result.requests ? (value - before[i]) / result.requests : 0)),
      generatorMicrosPerRequest: result.requests ? generatorCpu / result.requests : 0,
      machineBusy: (machineAfter.busy - machineBefore.busy) / Math.max(1, machineAfter.total - machineBefore.total),
      cores: os.cpus().length,
    },
    load: { before: loadBefore, after: loadAverage() },
  };
}
