import { AppError } from '@argus/contracts';
import type { RedisClient } from './redis-connection';
import type { StreamStore } from './stream-store';

/** One stored processed-frame event: its Redis stream id and its JSON text. */
export interface StreamEvent {
  id: string;
  json: string;
}

/** What a client of a stream's events hears. */
export type FeedSignal =
  | { kind: 'events'; events: StreamEvent[] }
  /** A blocking read came back empty: a moment to send a heartbeat. */
  | { kind: 'idle' }
  /** The feed ended: the stream was deleted (`stopped`), Redis failed, or the gateway is closing. */
  | { kind: 'end'; reason: 'stopped' | 'error' | 'closing' };

export interface StreamFeedsOptions {
  /** Redis readers (= streams followed at once) this process holds at most. */
  maxReaders: number;
  /** Clients (subscriptions) this process holds at most. */
  maxClients: number;
  /** How long one blocking read waits before the feed checks the stream still exists. */
  blockMs?: number;
  /** Retry-After on a refusal. */
  retryAfterSeconds?: number;
}

/** Backlog a resuming client gets at most (the stream is capped near this anyway). */
const BACKLOG_MAX = 1_000;

type Listener = (signal: FeedSignal) => void;

/**
 * A client's place on a stream's feed. `open` reserves it (so a refusal can still be an
 * HTTP error), `start` begins delivery: first what was stored after `lastEventId`, then live
 * events, never one twice or out of order. `close` is idempotent.
 */
export class FeedSubscription {
  private listener?: Listener;
  /** Live events that arrived while the backlog was being read. */
  private held: StreamEvent[] | undefined = [];
  private lastSent = '0-0';
  closed = false;

  constructor(
    readonly streamId: string,
    private readonly release: (sub: FeedSubscription) => void,
    private readonly backlog: (lastId: string) => Promise<StreamEvent[]>,
  ) {}

  async start(lastEventId: string | undefined, listener: Listener): Promise<void> {
    this.listener = listener;
    if (lastEventId && /^\d+-\d+$/.test(lastEventId)) {
      this.lastSent = lastEventId;
      try {
        this.send(await this.backlog(lastEventId));
      } catch {
        this.deliver({ kind: 'end', reason: 'error' });
        return;
      }
    }
    const held = this.held ?? [];
    this.held = undefined;
    this.send(held);
  }

  /** @internal called by the feed. */
  deliver(signal: FeedSignal): void {
    if (this.closed) return;
    if (signal.kind === 'events') {
      if (this.held) this.held.push(...signal.events);
      else this.send(signal.events);
      return;
    }
    if (this.held && signal.kind === 'idle') return;
    this.listener?.(signal);
    if (signal.kind === 'end') this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.release(this);
  }

  private send(events: StreamEvent[]): void {
    const fresh = events.filter((e) => compareIds(e.id, this.lastSent) > 0);
    if (fresh.length === 0 || this.closed) return;
    this.lastSent = fresh[fresh.length - 1].id;
    this.listener?.({ kind: 'events', events: fresh });
  }
}

/** One Redis reader tailing one stream's events for every client of it in this process. */
class Feed {
  readonly subs = new Set<FeedSubscription>();
  private readonly reader: RedisClient;
  private stopped = false;

  constructor(
    private readonly id: string,
    private readonly store: StreamStore,
    openReader: () => RedisClient,
    private readonly blockMs: number,
    private readonly onEnd: (feed: Feed) => void,
  ) {
    this.reader = openReader();
    this.reader.on('error', () => undefined);
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    // A blocked XREAD would hold the connection up to blockMs: drop it now.
    this.reader.disconnect();
  }

  private broadcast(signal: FeedSignal): void {
    for (const sub of [...this.subs]) sub.deliver(signal);
  }

  private async run(): Promise<void> {
    let reason: 'stopped' | 'error' | 'closing' = 'closing';
    try {
      // Start from the newest stored event, not '$': '$' between two reads would skip
      // whatever arrived in between.
      let lastId = await this.store.lastEventId(this.id);
      while (!this.stopped) {
        const events = await this.store.readEvents(this.reader, this.id, lastId, this.blockMs);
        if (this.stopped) break;
        if (events.length > 0) {
          lastId = events[events.length - 1].id;
          this.broadcast({ kind: 'events', events });
        } else if (!(await this.store.exists(this.id))) {
          reason = 'stopped';
          break;
        } else this.broadcast({ kind: 'idle' });
      }
    } catch {
      reason = 'error';
    }
    this.reader.disconnect();
    this.onEnd(this);
    // A feed stopped on purpose has no clients left, or has told them already (close()).
    if (!this.stopped) this.broadcast({ kind: 'end', reason });
  }
}

/**
 * Fans each live stream's events out to this process's clients (Server-Sent Events and
 * WebSocket alike) from one Redis reader per stream, instead of one connection per client.
 * A reader is opened for the first client of a stream and dropped with its last. Readers and
 * clients are bounded: past either bound a new client is refused with 503 `unavailable` and
 * Retry-After before anything is sent.
 */
export class StreamFeeds {
  private readonly feeds = new Map<string, Feed>();
  private clients = 0;
  private closing = false;

  constructor(
    private readonly store: StreamStore,
    /** A connection of its own for blocking reads (a duplicate of the process's connection). */
    private readonly openReader: () => RedisClient,
    private readonly options: StreamFeedsOptions,
  ) {}

  get readers(): number {
    return this.feeds.size;
  }

  get size(): number {
    return this.clients;
  }

  /** Reserves a client's place on `streamId`'s feed; throws 503 past the bounds or while closing. */
  open(streamId: string): FeedSubscription {
    const retry = this.options.retryAfterSeconds ?? 2;
    if (this.closing)
      throw new AppError('unavailable', 'the gateway is shutting down; retry on another instance', 503, 1);
    if (this.clients >= this.options.maxClients)
      throw new AppError(
        'unavailable',
        `too many clients follow streams here (${this.options.maxClients}); retry shortly`,
        503,
        retry,
      );
    let feed = this.feeds.get(streamId);
    if (!feed) {
      if (this.feeds.size >= this.options.maxReaders)
        throw new AppError(
          'unavailable',
          `this gateway already follows ${this.options.maxReaders} streams (STREAM_READERS_MAX); retry shortly`,
          503,
          retry,
        );
      feed = new Feed(streamId, this.store, this.openReader, this.options.blockMs ?? 5_000, (ended) => {
        if (this.feeds.get(streamId) === ended) this.feeds.delete(streamId);
      });
      this.feeds.set(streamId, feed);
    }
    const owner = feed;
    const sub = new FeedSubscription(
      streamId,
      (s) => {
        this.clients -= 1;
        owner.subs.delete(s);
        if (owner.subs.size === 0) {
          if (this.feeds.get(streamId) === owner) this.feeds.delete(streamId);
          owner.stop();
        }
      },
      (lastId) => this.store.eventsAfter(streamId, lastId, BACKLOG_MAX),
    );
    owner.subs.add(sub);
    this.clients += 1;
    return sub;
  }

  /** Shutdown: every client hears `end` (and reconnects elsewhere); readers are dropped. */
  close(): void {
    this.closing = true;
    for (const feed of [...this.feeds.values()]) {
      for (const sub of [...feed.subs]) sub.deliver({ kind: 'end', reason: 'closing' });
      feed.stop();
    }
    this.feeds.clear();
  }
}

/** Orders Redis stream ids ("ms-seq"). */
export function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(BigInt);
  const [bm, bs] = b.split('-').map(BigInt);
  if (am !== bm) return am < bm ? -1 : 1;
  return as === bs ? 0 : as < bs ? -1 : 1;
}
