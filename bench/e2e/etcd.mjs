// etcd 3.4 (Debian's etcd-server): three members on loopback, each with its own data dir,
// started with etcd's defaults; puts through the v3 JSON gateway to the leader.
import { mkdirSync, openSync } from 'node:fs';
import path from 'node:path';

import { freeBase, postForJson, postJson, run, start, waitFor, wrk } from './procs.mjs';

export class EtcdCluster {
  constructor({ workDir, keys }) {
    this.dir = path.join(workDir, 'etcd');
    this.keys = keys;
    this.children = [];
  }

  async up() {
    await run('rm', ['-rf', this.dir]);
    mkdirSync(this.dir, { recursive: true });
    const base = await freeBase([1, 2, 3, 11, 12, 13]);
    const peer = (i) => `http://127.0.0.1:${base + 10 + i}`;
    this.clients = [1, 2, 3].map((i) => `http://127.0.0.1:${base + i}`);
    const initial = [1, 2, 3].map((i) => `e${i}=${peer(i)}`).join(',');
    for (const i of [1, 2, 3]) {
      const log = openSync(path.join(this.dir, `e${i}.log`), 'w');
      this.children.push(start('etcd', [
        '--name', `e${i}`, '--data-dir', path.join(this.dir, `e${i}`),
        '--listen-client-urls', this.clients[i - 1], '--advertise-client-urls', this.clients[i - 1],
        '--listen-peer-urls', peer(i), '--initial-advertise-peer-urls', peer(i),
        '--initial-cluster', initial, '--initial-cluster-state', 'new',
        '--initial-cluster-token', 'tally-bench'], log));
    }
    this.pids = this.children.map((child) => child.pid);
    // The leader: the member whose status names itself as leader.
    this.leader = await waitFor('an etcd leader', async () => {
      for (const url of this.clients) {
        const { body } = await postForJson(url + '/v3/maintenance/status', {}, 2000).catch(() => ({}));
        if (body && body.leader && body.header && body.leader === body.header.member_id) return url;
      }
      return null;
    }, 60000);
    const probe = await postJson(this.leader + '/v3/kv/put', { key: 'cHJvYmU=', value: 'MQ==' });
    if (probe.status !== 200) throw new Error(`etcd put: ${probe.status} ${probe.text}`);
  }

  async down() {
    for (const child of this.children) child.kill('SIGTERM');
    await Promise.all(this.children.map((child) => new Promise((resolve) => {
      if (child.exitCode !== null) resolve();
      else child.once('exit', resolve);
    })));
    this.children = [];
  }

  async load({ connections, seconds }) {
    const result = await wrk({ script: 'etcd_put.lua', url: this.leader + '/v3/kv/put', connections,
      seconds, env: { E2E_PATH: '/v3/kv/put', E2E_ACCOUNTS: String(this.keys) },
      serverPids: this.pids });
    result.name = 'etcd put';
    return result;
  }
}
