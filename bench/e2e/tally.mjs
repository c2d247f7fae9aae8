// Tally's side of the e2e benchmark: `tally cluster up 3` with the defaults a user gets (the
// API over HTTPS, Raft over mutual TLS; apiPlaintext and insecurePeers turn either off, for the
// cost of TLS), funded accounts, the load runs, and after each run the checks that nothing
// acknowledged is missing and that the nodes agree.
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { freeBase, getJson, postJson, run, sleep, useBearerToken, useCa, waitFor, wrk } from './procs.mjs';
import { bulkTransfer, infoFields, routes } from './routes.mjs';

const LEDGER = 'bench';
const FUNDING = 1_000_000_000;
const FUNDING_CHUNK = 250;  // bulk elements per funding request (within the orders limit)

export class TallyCluster {
  constructor({ binDir, workDir, accounts, apiPlaintext = false, insecurePeers = false }) {
    this.tally = path.join(binDir, 'tally');
    this.tallyd = path.join(binDir, 'tallyd');
    this.dir = path.join(workDir, 'tally');
    this.accounts = accounts;
    this.fundingTransactions = 0;
    // TALLY_E2E_FLAGS: other settings than the defaults, to measure one (README.md).
    this.flags = [...(apiPlaintext ? ['--api-plaintext'] : []),
      ...(insecurePeers ? ['--insecure-peers'] : []),
      ...(process.env.TALLY_E2E_FLAGS || '').split(' ').filter(Boolean)];
  }

  async up() {
    const base = await freeBase([1, 2, 3, 101, 102, 103]);
    await run('rm', ['-rf', this.dir]);
    await run(this.tally, ['cluster', 'up', '3', '--dir', this.dir, '--base-port', String(base),
      '--tallyd', this.tallyd, ...this.flags]);
    const cluster = JSON.parse(readFileSync(path.join(this.dir, 'cluster.json'), 'utf8'));
    this.token = readFileSync(path.join(this.dir, 'admin.token'), 'utf8').trim();
    useBearerToken(this.token);
    const scheme = cluster.apiScheme === 'https' ? 'https' : 'http';
    if (scheme === 'https') useCa(readFileSync(path.join(this.dir, 'tls', 'ca.pem')));
    this.scheme = scheme;
    this.peerTls = cluster.peerTls !== false;
    this.nodes = cluster.nodes.map((node) => ({ id: node.id, url: `${scheme}://${node.http}`, pid: node.pid }));
    this.pids = this.nodes.map((node) => node.pid);
    this.leader = await waitFor('a Tally leader', async () => {
      const { body } = await getJson(this.nodes[0].url + routes.info());
      return infoFields(body).leaderAddress || null;
    });
    this.settings = { snapshotThreshold: cluster.snapshotThreshold,
      groupEntriesMax: cluster.groupEntriesMax, groupCommitMs: cluster.groupCommitMs,
      batchesInFlight: cluster.batchesInFlight };
  }

  async down() {
    await run(this.tally, ['cluster', 'down', '--dir', this.dir], { allowFailure: true });
    useBearerToken(undefined);  // the next system (etcd refuses a bearer it did not issue)
    useCa(undefined);
  }

  async fund() {
    const created = await postJson(this.leader + routes.ledger(LEDGER));
    if (created.status >= 300) throw new Error(`create ledger: ${created.status} ${created.text}`);
    for (let first = 0; first < this.accounts; first += FUNDING_CHUNK) {
      const elements = [];
      for (let i = first; i < Math.min(first + FUNDING_CHUNK, this.accounts); ++i)
        elements.push(bulkTransfer('world', `users:${i}`, FUNDING, 'USD'));
      const funded = await postJson(this.leader + routes.bulk(LEDGER, true), elements);
      if (funded.status !== 200) throw new Error(`funding: ${funded.status} ${funded.text}`);
      this.fundingTransactions += elements.length;
    }
  }

  // The transactions the ledger holds and the inputs of every funded account, as the leader
  // has them once every node applied the same index.
  async totals() {
    const { body } = await getJson(this.leader + routes.lastTransaction(LEDGER));
    const transactions = body.cursor.data.length ? body.cursor.data[0].id + 1 : 0;
    let inputs = 0n;
    let cursor;
    do {
      const page = await getJson(this.leader + routes.accounts(LEDGER, 1000, cursor));
      for (const account of page.body.cursor.data) {
        if (!account.address.startsWith('users:')) continue;
        for (const volume of Object.values(account.volumes)) inputs += BigInt(volume.input);
      }
      cursor = page.body.cursor.hasMore ? page.body.cursor.next : undefined;
    } while (cursor);
    return { transactions, transfersByInputs: Number(inputs - BigInt(this.accounts) * BigInt(FUNDING)) };
  }

  // Until the leader has nothing in flight and its applied index stays put (a request the
  // load generator gave up on may still be applying).
  async quiesce() {
    let last = -1;
    await waitFor('the leader to go idle', async () => {
      const info = infoFields((await getJson(this.leader + routes.info())).body);
      const idle = info.inFlight === 0 && info.appliedIndex === last;
      last = info.appliedIndex;
      if (!idle) await sleep(200);
      return idle;
    }, 120000);
  }

  // Every node at one applied index, the same store digest, the checker clean on each.
  async agreement() {
    const infos = await waitFor('every node at the same applied index', async () => {
      const all = [];
      for (const node of this.nodes) all.push(infoFields((await getJson(node.url + routes.info())).body));
      return all.every((info) => info.appliedIndex === all[0].appliedIndex) ? all : null;
    }, 20000);
    const digests = new Set();
    for (const node of this.nodes) {
      const { status, body } = await getJson(node.url + routes.digest(), 600000);
      digests.add(status === 200 && body.data.appliedIndex === infos[0].appliedIndex
        ? body.data.storeDigest : `node ${node.url}: ${status}`);
    }
    const checks = [];
    for (const node of this.nodes) {
      const { status, body } = await getJson(node.url + routes.check(), 600000);
      checks.push(status === 200 && body.data.ok === true);
    }
    // The worst lateness of each node's loop timer over the last minute, the run included.
    const loopStallMaxMs = Math.max(...infos.map((info) => Number(info.loopStallMaxUs ?? 0))) / 1000;
    return { appliedIndex: infos[0].appliedIndex, digestsEqual: digests.size === 1,
      checksClean: checks.every(Boolean), loopStallMaxMs };
  }

  // Snapshots the three nodes have taken so far, together: each copies and hashes the store.
  async snapshotsTaken() {
    let taken = 0;
    for (const node of this.nodes)
      taken += Number(infoFields((await getJson(node.url + routes.info())).body).snapshotsTaken ?? 0);
    return taken;
  }

  // The largest peak resident set of the three nodes so far (VmHWM), in MiB: what the
  // in-memory Raft log, the cache and a snapshot in flight cost together.
  peakRssMiB() {
    const peaks = this.pids.map((pid) => {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kib = /VmHWM:\s+(\d+) kB/.exec(status);
      return kib ? Number(kib[1]) / 1024 : 0;
    });
    return Math.round(Math.max(...peaks));
  }

  // What the largest node holds now, in MiB: its anonymous memory (heap: the in-memory Raft
  // log, the cache) and the file pages it has mapped (SQLite reads the store through mmap;
  // the kernel may drop those pages), which VmHWM counts together.
  residentMiB() {
    const field = (status, name) => Number((new RegExp(`${name}:\\s+(\\d+) kB`).exec(status) ?? [0, 0])[1]) / 1024;
    const nodes = this.pids.map((pid) => readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { anon: Math.round(Math.max(...nodes.map((s) => field(s, 'RssAnon')))),
      file: Math.round(Math.max(...nodes.map((s) => field(s, 'RssFile')))) };
  }

  // One load run, then the checks: applied transfers within [acknowledged, acknowledged +
  // answers that may or may not have applied], the inputs agreeing with the transactions.
  async load({ name, script, path: route, connections, seconds, perRequest, env = {} }) {
    const before = await this.totals();
    const snapshotsBefore = await this.snapshotsTaken();
    const result = await wrk({ script, url: this.leader + route, connections, seconds,
      env: { E2E_PATH: route, E2E_ACCOUNTS: String(this.accounts), E2E_TOKEN: this.token, ...env },
      serverPids: this.pids });
    await this.quiesce();
    result.snapshotsTaken = (await this.snapshotsTaken()) - snapshotsBefore;
    const after = await this.totals();
    const agreement = await this.agreement();
    const applied = after.transactions - before.transactions;
    const acknowledged = result.ok * perRequest;
    // wrk stops counting at the deadline with one request per connection still out: those
    // may apply too, as may a timed-out request, a failed read or a non-2xx answer.
    const uncertain =
      (result.non2xx + result.timeouts + result.errors.read + connections) * perRequest;
    result.name = name;
    result.transfersPerSecond = acknowledged / result.seconds;
    result.peakRssMiB = this.peakRssMiB();
    result.residentMiB = this.residentMiB();
    // The leader's CPU and the followers' (their mean), per transfer.
    const perTransfer = (micros) => micros / perRequest;
    const roles = this.nodes.map((node) => (node.url === this.leader ? 'leader' : 'follower'));
    const followers = result.cpu.serverMicrosPerRequest.filter((_, i) => roles[i] === 'follower');
    const leader = roles.indexOf('leader');
    result.cpu.leaderMicrosPerTransfer =
      leader >= 0 ? perTransfer(result.cpu.serverMicrosPerRequest[leader]) : undefined;
    result.cpu.followerMicrosPerTransfer =
      perTransfer(followers.reduce((sum, value) => sum + value, 0) / Math.max(1, followers.length));
    result.cpu.generatorMicrosPerTransfer = perTransfer(result.cpu.generatorMicrosPerRequest);
    result.checks = {
      ...agreement,
      acknowledgedTransfers: acknowledged,
      appliedTransfers: applied,
      noAcknowledgedMissing: applied >= acknowledged && applied <= acknowledged + uncertain,
      inputsMatchTransactions: after.transfersByInputs - before.transfersByInputs === applied,
    };
    return result;
  }
}
