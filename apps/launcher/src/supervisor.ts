import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';

export interface ChildSpec {
  name: string;
  script: string;
  env: NodeJS.ProcessEnv;
  /** Restart when it exits without being asked to (workers); otherwise stop everything. */
  restart: boolean;
}

/**
 * Runs the platform's processes, prefixes their output with their name, restarts workers
 * that die (with a backoff) and forwards SIGINT/SIGTERM so everyone shuts down cleanly.
 */
export class Supervisor {
  private readonly children = new Map<string, ChildProcess>();
  private stopping = false;
  private readonly restarts = new Map<string, number>();

  constructor(private readonly onFatal: (reason: string) => void) {}

  start(spec: ChildSpec): void {
    const child = spawn(process.execPath, [spec.script], {
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.set(spec.name, child);
    const prefix = `[${spec.name}]`.padEnd(11);
    for (const stream of [child.stdout, child.stderr]) {
      readline
        .createInterface({ input: stream })
        .on('line', (line) => process.stdout.write(`${prefix} ${line}\n`));
    }
    const startedAt = Date.now();
    child.on('exit', (code, signal) => {
      this.children.delete(spec.name);
      if (this.stopping) return;
      const why = `${spec.name} exited (${signal ?? `code ${code}`})`;
      if (!spec.restart) {
        this.onFatal(why);
        return;
      }
      // A process that dies right after start would die again: back off, then give up.
      const quick = Date.now() - startedAt < 10_000;
      const attempts = quick ? (this.restarts.get(spec.name) ?? 0) + 1 : 0;
      this.restarts.set(spec.name, attempts);
      if (attempts > 5) {
        this.onFatal(`${why}; it keeps failing at start, giving up`);
        return;
      }
      const delay = Math.min(500 * 2 ** attempts, 10_000);
      process.stdout.write(`[launcher]  ${why}; restarting in ${delay} ms\n`);
      setTimeout(() => !this.stopping && this.start(spec), delay);
    });
  }

  /** SIGTERM to every child; resolves when all have exited (SIGKILL after `graceMs`). */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    const alive = [...this.children.values()];
    await Promise.all(
      alive.map(
        (child) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
  }
}
