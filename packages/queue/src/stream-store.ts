import crypto from 'node:crypto';
import type { StreamCreate, StreamMetrics, StreamState, StreamView } from '@argus/contracts';
import type { RedisKeys } from './keys';
import type { RedisClient } from './redis-connection';

/** Renews a lease only while this worker still holds it. */
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

const METRIC_FIELDS: ReadonlyArray<keyof StreamMetrics> = [
  'framesIn',
  'framesProcessed',
  'framesDropped',
  'reconnects',
  'lagMs',
];

/**
 * Live streams in Redis: registrations and state (a hash per stream, ids in a set), the
 * lease a worker holds on a stream, and each stream's processed-frame events (a capped
 * Redis stream that the events endpoint tails).
 */
export class StreamStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  /** Registers a stream; `owner` is the id of the API key that created it (absent in open mode). */
  async create(spec: StreamCreate, owner?: string): Promise<string> {
    const id = crypto.randomUUID();
    // Two commands, not a MULTI: the index and the stream hash live in different cluster
    // slots. The hash goes first, so an indexed id always has its registration.
    await this.redis.hset(this.keys.stream(id), {
      spec: JSON.stringify(spec),
      state: 'connecting',
      createdAt: String(Date.now()),
      ...(owner ? { owner } : {}),
    });
    await this.redis.sadd(this.keys.streams(), id);
    return id;
  }

  async ids(): Promise<string[]> {
    return this.redis.smembers(this.keys.streams());
  }

  async spec(id: string): Promise<StreamCreate | null> {
    const raw = await this.redis.hget(this.keys.stream(id), 'spec');
    return raw === null ? null : (JSON.parse(raw) as StreamCreate);
  }

  async view(id: string): Promise<StreamView | null> {
    return (await this.entry(id))?.view ?? null;
  }

  /** The stream's view and its owner (the creating key's id; never shown in the view). */
  async entry(id: string): Promise<{ view: StreamView; owner?: string } | null> {
    const h = await this.redis.hgetall(this.keys.stream(id));
    if (!h.spec) return null;
    const spec = JSON.parse(h.spec) as StreamCreate;
    const worker = (await this.redis.get(this.keys.streamLease(id))) ?? undefined;
    const metrics = Object.fromEntries(
      METRIC_FIELDS.map((f) => [f, Number(h[f] ?? 0)]),
    ) as unknown as StreamMetrics;
    const self = `/v1/streams/${id}`;
    const view: StreamView = {
      id,
      url: redactUrl(spec.url),
      task: spec.task,
      fps: spec.fps,
      options: spec.options,
      state: h.state as StreamState,
      ...(h.reason ? { reason: h.reason } : {}),
      ...(worker ? { worker } : {}),
      metrics,
      ...(spec.callbackUrl ? { callbackUrl: spec.callbackUrl } : {}),
      createdAt: new Date(Number(h.createdAt)).toISOString(),
      links: { self, events: `${self}/events` },
    };
    return { view, ...(h.owner ? { owner: h.owner } : {}) };
  }

  /** Deletes the stream and everything of it; its worker sees the lease gone and stops. */
  async delete(id: string): Promise<boolean> {
    // The index first (no worker takes it any more), then the stream's own keys and its
    // webhook delivery log, which share its hash tag and so go in one DEL even on a cluster.
    const removed = await this.redis.srem(this.keys.streams(), id);
    await this.redis.del(
      this.keys.stream(id),
      this.keys.streamLease(id),
      this.keys.streamEvents(id),
      this.keys.streamFrame(id),
      this.keys.deliveries(id),
      this.keys.deliveryOrder(id),
      this.keys.deliveryAttempts(id),
      this.keys.deliveryDropped(id),
    );
    return removed === 1;
  }

  /** State and metrics, written only while the stream exists (a deleted stream stays deleted). */
  async report(
    id: string,
    fields: Partial<StreamMetrics> & { state?: StreamState; reason?: string },
  ): Promise<void> {
    const key = this.keys.stream(id);
    const flat = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)]));
    await this.redis.eval(
      `if redis.call('exists', KEYS[1]) == 1 then redis.call('hset', KEYS[1], unpack(ARGV)) end return 0`,
      1,
      key,
      ...Object.entries(flat).flat(),
    );
  }

  async acquire(id: string, worker: string, leaseMs: number): Promise<boolean> {
    if (!(await this.redis.exists(this.keys.stream(id)))) return false;
    return (await this.redis.set(this.keys.streamLease(id), worker, 'PX', leaseMs, 'NX')) === 'OK';
  }

  async renew(id: string, worker: string, leaseMs: number): Promise<boolean> {
    return (await this.redis.eval(RENEW, 1, this.keys.streamLease(id), worker, String(leaseMs))) === 1;
  }

  async release(id: string, worker: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.keys.streamLease(id), worker);
  }

  async appendEvent(id: string, event: unknown, maxLen: number): Promise<void> {
    await this.redis.eval(
      `if redis.call('exists', KEYS[1]) == 1 then redis.call('xadd', KEYS[2], 'MAXLEN', '~', ARGV[1], '*', 'e', ARGV[2]) end return 0`,
      2,
      this.keys.stream(id),
      this.keys.streamEvents(id),
      String(maxLen),
      JSON.stringify(event),
    );
  }

  /** The latest processed frame as JPEG, kept only while the stream exists (`ttlMs` after the last). */
  async putFrame(id: string, seq: number, jpeg: Buffer, ttlMs: number): Promise<void> {
    await this.redis.eval(
      `if redis.call('exists', KEYS[1]) == 1 then redis.call('hset', KEYS[2], 'seq', ARGV[1], 'jpeg', ARGV[2]) redis.call('pexpire', KEYS[2], ARGV[3]) end return 0`,
      2,
      this.keys.stream(id),
      this.keys.streamFrame(id),
      String(seq),
      jpeg,
      String(ttlMs),
    );
  }

  async frame(id: string): Promise<{ seq: number; jpeg: Buffer } | null> {
    const h = await this.redis.hgetallBuffer(this.keys.streamFrame(id));
    if (!h.jpeg || !h.seq) return null;
    return { seq: Number(h.seq.toString()), jpeg: h.jpeg };
  }

  /** The id of the newest event, or '0-0' when there is none (where a new reader starts). */
  async lastEventId(id: string): Promise<string> {
    const last = await this.redis.xrevrange(this.keys.streamEvents(id), '+', '-', 'COUNT', 1);
    return last[0]?.[0] ?? '0-0';
  }

  /** Stored events after `lastId` (exclusive), oldest first: a resuming client's backlog. */
  async eventsAfter(id: string, lastId: string, count: number): Promise<Array<{ id: string; json: string }>> {
    const res = await this.redis.xrange(this.keys.streamEvents(id), `(${lastId}`, '+', 'COUNT', count);
    return res.map(([entryId, fields]) => ({ id: entryId, json: fields[1] }));
  }

  async exists(id: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.stream(id))) === 1;
  }

  /** Events after `lastId` ('$' = only new ones), waiting up to `blockMs` for the first. */
  async readEvents(
    reader: RedisClient,
    id: string,
    lastId: string,
    blockMs: number,
  ): Promise<Array<{ id: string; json: string }>> {
    const res = await reader.xread(
      'COUNT',
      100,
      'BLOCK',
      blockMs,
      'STREAMS',
      this.keys.streamEvents(id),
      lastId,
    );
    if (!res) return [];
    return res[0][1].map(([entryId, fields]) => ({ id: entryId, json: fields[1] }));
  }
}

/** The URL without its password (camera URLs often carry credentials). */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return raw;
  }
}
