import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { sleep } from './platform';

export interface TestRedisOptions {
  /**
   * Persist with an append-only file in `dir`, fsynced on every write (`appendfsync always`),
   * so data survives `stop()` and even `kill()` followed by `start()` on the same port.
   */
  aof?: { dir: string };
}

/** A throwaway redis-server on a free loopback port, for tests that stop and restart Redis. */
export class TestRedisServer {
  private child: ChildProcess | null = null;

  constructor(
    readonly port: number,
    readonly options: TestRedisOptions = {},
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** The running server's pid (undefined while stopped). */
  get pid(): number | undefined {
    return this.child && this.child.exitCode === null ? this.child.pid : undefined;
  }

  static async create(options: TestRedisOptions = {}): Promise<TestRedisServer> {
    const server = new TestRedisServer(await freePort(), options);
    await server.start();
    return server;
  }

  /** Starts redis-server unless this instance already runs one. */
  async start(): Promise<void> {
    if (this.child && this.child.exitCode === null) return;
    const persistence = this.options.aof
      ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', this.options.aof.dir]
      : ['--appendonly', 'no'];
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', ...persistence],
      {
        stdio: 'ignore',
      },
    );
    child.on('error', () => undefined);
    this.child = child;
    const deadline = Date.now() + 10_000;
    while (!(await canConnect(this.port))) {
      if (child.exitCode !== null)
        throw new Error(`redis-server exited with ${child.exitCode} (is redis-server installed?)`);
      if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${this.port}`);
      await sleep(50);
    }
  }

  /** SIGTERM: a clean shutdown (the AOF is flushed and fsynced). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    this.child = null;
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    this.child = null;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
