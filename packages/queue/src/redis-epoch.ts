import crypto from 'node:crypto';
import type { RedisClient } from './redis-connection';

/** The epoch key's value: who wrote it and when this Redis' data began. */
export interface EpochRecord {
  id: string;
  createdAt: number;
}

export interface RedisEpochOptions {
  key: string;
  checkIntervalMs: number;
  /** Logs the loss at ERROR (the caller's logger). */
  onLoss: (info: { previous: EpochRecord; current: EpochRecord; reason: string }) => void;
  /** Re-creates what this process keeps in Redis (heartbeats, caches); readiness waits for it. */
  reestablish?: () => Promise<void>;
}

/**
 * Detects a Redis that lost its data (restarted without persistence, flushed, failed over
 * to an empty replica). The first process to start writes an epoch key that never expires;
 * every gateway and worker remembers it and checks it on a timer. A missing or different
 * key means the data it stood for is gone: the process logs it, counts it, reports
 * not-ready until it has written a new epoch and re-established its own state.
 */
export class RedisEpoch {
  private current?: EpochRecord;
  private recovering = false;
  private timer?: NodeJS.Timeout;
  private checking = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly opts: RedisEpochOptions,
  ) {}

  /** Adopts the epoch in Redis, writing one when there is none (first start). */
  async establish(): Promise<EpochRecord> {
    const fresh: EpochRecord = { id: crypto.randomUUID(), createdAt: Date.now() };
    await this.redis.set(this.opts.key, JSON.stringify(fresh), 'NX');
    const raw = await this.redis.get(this.opts.key);
    this.current = raw ? (JSON.parse(raw) as EpochRecord) : fresh;
    return this.current;
  }

  /** The epoch this process works in; jobs issued before `createdAt` predate the data. */
  get epoch(): EpochRecord | undefined {
    return this.current;
  }

  /** False from detecting a loss until this process has re-established its state. */
  get ready(): boolean {
    return this.current !== undefined && !this.recovering;
  }

  /** One check; a Redis error leaves the state as it is (the outage is reported elsewhere). */
  async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const raw = await this.redis.get(this.opts.key);
      const seen = raw ? (JSON.parse(raw) as EpochRecord) : undefined;
      const previous = this.current;
      if (!previous) {
        await this.establish();
        return;
      }
      if (seen && seen.id === previous.id) {
        // A re-establishment that failed last time is tried again.
        if (this.recovering) await this.reestablish();
        return;
      }
      this.recovering = true;
      const current = await this.establish();
      this.opts.onLoss({
        previous,
        current,
        reason: seen
          ? 'the epoch key changed (another process found the loss first)'
          : 'the epoch key is gone',
      });
      await this.reestablish();
    } catch {
      // Redis unreachable or mid-restart: check again next time.
    } finally {
      this.checking = false;
    }
  }

  private async reestablish(): Promise<void> {
    await this.opts.reestablish?.();
    this.recovering = false;
  }

  start(): void {
    this.timer = setInterval(() => void this.check(), this.opts.checkIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
