/**
 * Stream event fan-out against the real Redis: one reader per stream shared by its clients,
 * resume from Last-Event-ID without repeats, the reader and client bounds, the end of a
 * deleted stream, and the cap on the stored events (XADD MAXLEN ~).
 */
import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { StreamCreateSchema } from '@argus/contracts';
import { RedisKeys } from './keys';
import { StreamFeeds, compareIds, type FeedSignal } from './stream-feeds';
import { StreamStore } from './stream-store';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('StreamFeeds (real Redis)', () => {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const prefix = `argus-test-${crypto.randomBytes(4).toString('hex')}`;
  const store = new StreamStore(redis, new RedisKeys(prefix));
  let opened = 0;
  const feeds = new StreamFeeds(
    store,
    () => {
      opened += 1;
      return redis.duplicate({ enableOfflineQueue: true });
    },
    { maxReaders: 2, maxClients: 5, blockMs: 200 },
  );
  const spec = StreamCreateSchema.parse({ url: 'http://cam.example/x' });

  afterAll(async () => {
    feeds.close();
    await new Promise((r) => setTimeout(r, 300));
    const found = await redis.keys(`${prefix}:*`);
    if (found.length) await redis.del(...found);
    redis.disconnect();
  });

  /** Collects a client's signals; `until` waits for a condition on them. */
  function client() {
    const signals: FeedSignal[] = [];
    const ids = () => signals.flatMap((s) => (s.kind === 'events' ? s.events.map((e) => e.id) : []));
    const until = async (check: () => boolean) => {
      for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
      expect(check()).toBe(true);
    };
    return { signals, ids, until, listener: (s: FeedSignal) => signals.push(s) };
  }

  it('serves every client of a stream from one reader, in order, and resumes without repeats', async () => {
    const id = await store.create(spec);
    await store.appendEvent(id, { seq: 0 }, 100);
    const a = client();
    const b = client();
    const subA = feeds.open(id);
    const subB = feeds.open(id);
    expect(feeds.readers).toBe(1);
    expect(opened).toBe(1);
    await subA.start(undefined, a.listener);
    await subB.start(undefined, b.listener);
    await new Promise((r) => setTimeout(r, 100));
    for (let seq = 1; seq <= 3; seq++) await store.appendEvent(id, { seq }, 100);
    await a.until(() => a.ids().length === 3);
    await b.until(() => b.ids().length === 3);
    expect(b.ids()).toEqual(a.ids());
    // Resume from the first live event: the two after it, once each, then live ones.
    const c = client();
    const subC = feeds.open(id);
    await subC.start(a.ids()[0], c.listener);
    await store.appendEvent(id, { seq: 4 }, 100);
    await a.until(() => a.ids().length === 4);
    await c.until(() => c.ids().length === 3);
    expect(c.ids()).toEqual(a.ids().slice(1));
    expect([...c.ids()].sort(compareIds)).toEqual(c.ids());
    expect(opened).toBe(1);
    // The stream is deleted: every client hears the end; the reader goes with its last client.
    await store.delete(id);
    await a.until(() => a.signals.some((s) => s.kind === 'end' && s.reason === 'stopped'));
    await c.until(() => c.signals.some((s) => s.kind === 'end'));
    expect(subA.closed && subB.closed && subC.closed).toBe(true);
    expect(feeds.readers).toBe(0);
    expect(feeds.size).toBe(0);
  });

  it('refuses a reader past STREAM_READERS_MAX and a client past the client bound with 503', async () => {
    const ids = await Promise.all([1, 2, 3].map(() => store.create(spec)));
    const subs = [feeds.open(ids[0]), feeds.open(ids[1])];
    expect(() => feeds.open(ids[2])).toThrow(expect.objectContaining({ code: 'unavailable', status: 503 }));
    // A client of a stream already followed needs no new reader.
    for (let i = 0; i < 3; i++) subs.push(feeds.open(ids[0]));
    expect(() => feeds.open(ids[1])).toThrow(
      expect.objectContaining({ code: 'unavailable', retryAfterSeconds: 2 }),
    );
    subs.forEach((s) => s.close());
    expect(feeds.readers).toBe(0);
    const last = feeds.open(ids[2]);
    expect(last.streamId).toBe(ids[2]);
    last.close();
  });

  it('caps the stored events near STREAM_EVENTS_MAX (XADD MAXLEN ~)', async () => {
    const id = await store.create(spec);
    for (let seq = 0; seq < 500; seq++) await store.appendEvent(id, { seq }, 50);
    const len = await redis.xlen(new RedisKeys(prefix).streamEvents(id));
    expect(len).toBeGreaterThanOrEqual(50);
    expect(len).toBeLessThan(200);
  });
});
