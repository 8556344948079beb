/**
 * Docker HEALTHCHECK of the worker image: healthy while a worker in this container has sent
 * a heartbeat to Redis within three heartbeat intervals (the rule the gateway's /readyz
 * uses). It reads the same environment as the worker (REDIS_URL, KEY_PREFIX, …).
 * Kubernetes does not run it: a liveness probe that depends on Redis would restart every
 * worker during a Redis outage, which workers are built to ride out.
 */
const os = require('node:os');
const { loadConfig } = require('@argus/config');
const { RedisKeys, WorkerRegistry, createRedis, waitForReady } = require('@argus/queue');

async function main() {
  const config = loadConfig();
  const redis = createRedis(config.REDIS_URL, { role: 'worker', name: 'argus-worker-healthcheck' });
  try {
    await waitForReady(redis, 5_000);
    const live = await new WorkerRegistry(redis, new RedisKeys(config.KEY_PREFIX)).live(
      config.WORKER_HEARTBEAT_MS * 3,
    );
    return live.some((w) => w.host === os.hostname());
  } finally {
    redis.disconnect();
  }
}

main().then(
  (healthy) => process.exit(healthy ? 0 : 1),
  (err) => {
    process.stderr.write(`worker healthcheck: ${err.message}\n`);
    process.exit(1);
  },
);
