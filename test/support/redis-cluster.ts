/**
 * A throwaway 3-master Redis Cluster on loopback ports: three `redis-server --cluster-enabled
 * yes` processes joined with `redis-cli --cluster create` (no replicas), for tests that run
 * Argus against Redis Cluster. `url` is the cluster form of REDIS_URL.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sleep } from './platform';
import { freePort } from './redis-server';

export class TestRedisCluster {
  private constructor(
    readonly ports: number[],
    private readonly dir: string,
    private readonly children: ChildProcess[],
  ) {}

  /** `redis+cluster://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3` */
  get url(): string {
    return `redis+cluster://${this.ports.map((p) => `127.0.0.1:${p}`).join(',')}`;
  }

  static async create(masters = 3, timeoutMs = 20_000): Promise<TestRedisCluster> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'argus-redis-cluster-'));
    const ports: number[] = [];
    while (ports.length < masters) {
      const port = await freePort();
      // Cluster nodes also listen on port + 10000 (the cluster bus).
      if (!ports.includes(port) && port + 10_000 < 65_536) ports.push(port);
    }
    const children = ports.map((port) => {
      const child = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          path.join(dir, `nodes-${port}.conf`),
          '--cluster-node-timeout',
          '5000',
          '--dir',
          dir,
          '--save',
          '',
          '--appendonly',
          'no',
          '--daemonize',
          'no',
        ],
        { stdio: 'ignore' },
      );
      child.on('error', () => undefined);
      return child;
    });
    const cluster = new TestRedisCluster(ports, dir, children);
    try {
      const deadline = Date.now() + timeoutMs;
      for (const port of ports) {
        while (cli(port, 'ping').stdout.trim() !== 'PONG') {
          if (children.some((c) => c.exitCode !== null))
            throw new Error('a redis-server exited at start (is redis-server 7 installed?)');
          if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not answer`);
          await sleep(50);
        }
      }
      const create = spawnSync(
        'redis-cli',
        [
          '--cluster',
          'create',
          ...ports.map((p) => `127.0.0.1:${p}`),
          '--cluster-replicas',
          '0',
          '--cluster-yes',
        ],
        { encoding: 'utf8', timeout: timeoutMs },
      );
      if (create.status !== 0)
        throw new Error(`redis-cli --cluster create failed:\n${create.stdout}${create.stderr}`);
      // Every node must agree the cluster is up (all 16384 slots covered) before clients connect.
      for (const port of ports) {
        while (!/cluster_state:ok/.test(cli(port, 'cluster', 'info').stdout)) {
          if (Date.now() > deadline) throw new Error(`node ${port} never reported cluster_state:ok`);
          await sleep(100);
        }
      }
      return cluster;
    } catch (err) {
      await cluster.stop();
      throw err;
    }
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function cli(port: number, ...args: string[]) {
  return spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], {
    encoding: 'utf8',
    timeout: 5_000,
  });
}
