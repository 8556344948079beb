import type { Logger } from '@argus/config';
import type { StreamStore } from '@argus/queue';
import { StreamRunner, type StreamRunnerDeps } from './stream-runner';

export interface StreamSupervisorOptions {
  workerId: string;
  leaseMs: number;
  maxStreams: number;
  /** The stream tasks this worker serves (detect, parse): it takes only streams of those. */
  tasks: readonly string[];
}

/**
 * Holds live streams under leases. Every third of a lease it renews the leases it holds
 * (a stream whose lease is gone, deleted or taken, is stopped at once) and takes at most
 * one more free stream, so streams spread over the workers instead of piling on the first.
 * A worker that dies stops renewing; another takes its streams once the lease lapses.
 */
export class StreamSupervisor {
  private readonly runners = new Map<string, StreamRunner>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: StreamStore,
    private readonly runnerDeps: StreamRunnerDeps,
    private readonly opts: StreamSupervisorOptions,
    private readonly log: Logger,
  ) {}

  start(): void {
    let busy = false;
    const tick = () => {
      // One tick at a time: while Redis is away, commands wait (worker connections retry
      // forever), and overlapping ticks would each take a stream when it comes back.
      if (busy) return;
      busy = true;
      this.ticking = this.tick()
        .catch((err: Error) => this.log.warn('stream supervisor tick failed', { err: err.message }))
        .finally(() => (busy = false));
    };
    tick();
    this.timer = setInterval(tick, Math.max(100, Math.floor(this.opts.leaseMs / 3)));
  }

  held(): string[] {
    return [...this.runners.keys()];
  }

  private async tick(): Promise<void> {
    const { workerId, leaseMs, maxStreams } = this.opts;
    for (const [id, runner] of this.runners) {
      if (!(await this.store.renew(id, workerId, leaseMs))) {
        this.runners.delete(id);
        this.log.info('stream lease lost (deleted or taken); stopping', { stream: id });
        await runner.stop();
      }
    }
    if (this.runners.size >= maxStreams) return;
    const free = (await this.store.ids()).filter((id) => !this.runners.has(id));
    for (const id of shuffle(free)) {
      // A parse stream waits for a worker that parses; the spec never changes, so reading it
      // before the lease is safe (a deleted stream fails the acquire).
      const spec = await this.store.spec(id);
      if (!spec || !this.opts.tasks.includes(spec.task)) continue;
      if (!(await this.store.acquire(id, workerId, leaseMs))) continue;
      this.log.info('stream taken', { stream: id, url: spec.url });
      this.runners.set(id, new StreamRunner(id, spec, this.runnerDeps));
      return;
    }
  }

  /** Shutdown: stop every stream and give up the leases, so another worker takes them at once. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
    await Promise.all(
      [...this.runners].map(async ([id, runner]) => {
        await runner.stop();
        await this.store
          .report(id, { state: 'connecting', reason: 'its worker shut down' })
          .catch(() => undefined);
        await this.store.release(id, this.opts.workerId).catch(() => undefined);
      }),
    );
    this.runners.clear();
  }
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
