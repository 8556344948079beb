import crypto from 'node:crypto';
import net from 'node:net';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import type { Logger } from '@argus/config';
import { MetricsSnapshotStore, RedisKeys } from '@argus/queue';
import type { MetricsSnapshot } from './snapshot';
import { SNAPSHOT_TTL_INTERVALS, startSnapshotPusher } from './snapshot-pusher';
import { createWorkerMetrics } from './worker.metrics';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Records warnings; nothing else is needed of a logger here. */
function recordingLog(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const log: Logger & { warnings: string[] } = {
    warnings,
    debug: () => undefined,
    info: () => undefined,
    warn: (msg) => void warnings.push(msg),
    error: () => undefined,
    child: () => log,
  };
  return log;
}

let redis: Redis;
let prefix: string;
let store: MetricsSnapshotStore<MetricsSnapshot>;

beforeEach(() => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  prefix = `argus-test-${crypto.randomBytes(4).toString('hex')}`;
  store = new MetricsSnapshotStore(redis, new RedisKeys(prefix));
});

afterEach(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe('MetricsSnapshotStore (real Redis)', () => {
  it('returns live snapshots and forgets expired ones, index included', async () => {
    await store.push({ source: 'w1', pushedAt: Date.now(), metrics: [] }, 10_000);
    await store.push({ source: 'w2', pushedAt: Date.now(), metrics: [] }, 150);
    expect((await store.live()).map((s) => s.source).sort()).toEqual(['w1', 'w2']);
    expect(await redis.pttl(store.snapshotKey('w2'))).toBeLessThanOrEqual(150);

    await sleep(250);
    expect((await store.live()).map((s) => s.source)).toEqual(['w1']);
    expect(await redis.zrange(store.indexKey(), '0', '-1')).toEqual(['w1']);

    await store.remove('w1');
    expect(await store.live()).toEqual([]);
  });

  it('skips a value that is not a snapshot instead of failing the scrape', async () => {
    await store.push({ source: 'good', pushedAt: Date.now(), metrics: [] }, 10_000);
    await redis.zadd(store.indexKey(), String(Date.now()), 'torn');
    await redis.set(store.snapshotKey('torn'), '{"source":"torn","metr', 'PX', 10_000);
    expect((await store.live()).map((s) => s.source)).toEqual(['good']);
  });
});

describe('startSnapshotPusher', () => {
  it('pushes the registry at once and every interval, with a TTL of a few intervals, and a last time on stop', async () => {
    const registry = new Registry();
    registry.setDefaultLabels({ worker: 'w1' });
    const metrics = createWorkerMetrics(registry, { tasks: ['detect'] });
    const pusher = startSnapshotPusher({
      registry,
      store,
      source: 'w1',
      intervalMs: 100,
      log: recordingLog(),
    });
    await pusher.pushNow();
    const first = await store.live();
    expect(first).toHaveLength(1);
    const ttl = await redis.pttl(store.snapshotKey('w1'));
    expect(ttl).toBeGreaterThan(100);
    expect(ttl).toBeLessThanOrEqual(100 * SNAPSHOT_TTL_INTERVALS);

    metrics.jobsProcessed.inc({ task: 'detect', status: 'completed' });
    await sleep(250);
    const [later] = await store.live();
    expect(later.pushedAt).toBeGreaterThan(first[0].pushedAt);
    const counter = later.metrics.find((m) => m.name === 'argus_jobs_processed_total')!;
    expect(counter.values).toContainEqual(
      expect.objectContaining({ value: 1, labels: { task: 'detect', status: 'completed', worker: 'w1' } }),
    );

    metrics.jobsProcessed.inc({ task: 'detect', status: 'completed' });
    await pusher.stop();
    const [last] = await store.live();
    const final = last.metrics.find((m) => m.name === 'argus_jobs_processed_total')!;
    expect(final.values).toContainEqual(expect.objectContaining({ value: 2 }));
  });

  it('never hangs shutdown or throws when Redis does not answer; it logs the failure once', async () => {
    // A server that accepts and never answers, and a worker-style connection to it:
    // commands wait in the offline queue for as long as the connection lives.
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    const away = new Redis(`redis://127.0.0.1:${port}`, { maxRetriesPerRequest: null });
    away.on('error', () => undefined);
    const log = recordingLog();
    const pusher = startSnapshotPusher({
      registry: new Registry(),
      store: new MetricsSnapshotStore<MetricsSnapshot>(away, new RedisKeys(prefix)),
      source: 'w1',
      intervalMs: 50,
      log,
      stopTimeoutMs: 200,
    });
    await sleep(200);
    const started = Date.now();
    await pusher.stop();
    expect(Date.now() - started).toBeLessThan(1_000);
    away.disconnect();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
    // The queued push now fails: one warning, not one per interval.
    await sleep(50);
    expect(log.warnings).toEqual(['metrics snapshot push failed']);
  });
});
