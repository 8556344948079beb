/**
 * `npm start`: the whole platform on one machine. Finds (or starts) Redis, installs the models
 * it can (mirror, download, or conversion from the public originals), then runs one gateway
 * and WORKERS worker processes with the models it got, and prints the URL.
 */
import path from 'node:path';
import { REPO_ROOT, loadConfig, ConfigError, envIsSet } from '@argus/config';
import { chooseRedis, RedisUnavailableError, type RedisChoice } from './local-redis';
import { NoModelError, setUpModels } from './model-setup';
import { redisHelp } from './redis-help';
import { Supervisor } from './supervisor';

const log = (line: string) => process.stdout.write(`[launcher]  ${line}\n`);

async function main(): Promise<void> {
  const config = loadConfig();
  const explicit = envIsSet('REDIS_URL');

  let redis: RedisChoice;
  try {
    redis = await chooseRedis({
      configuredUrl: config.REDIS_URL,
      explicit,
      autostart: config.REDIS_AUTOSTART,
      localPort: config.REDIS_LOCAL_PORT,
      dataDir: path.resolve(REPO_ROOT, config.REDIS_LOCAL_DIR),
      log,
    });
  } catch (err) {
    if (!(err instanceof RedisUnavailableError)) throw err;
    process.stderr.write(`${redisHelp(err.url, explicit)}\n`);
    process.exit(1);
  }

  let models: Awaited<ReturnType<typeof setUpModels>>;
  try {
    models = await setUpModels(
      config,
      { workerModels: envIsSet('WORKER_MODELS'), workerTasks: envIsSet('WORKER_TASKS') },
      log,
    );
  } catch (err) {
    await redis.stop();
    throw err;
  }

  const stopAll = async (supervisor: Supervisor, graceMs: number) => {
    await supervisor.stop(graceMs);
    await redis.stop();
  };
  const supervisor = new Supervisor((reason) => {
    log(`${reason}; stopping`);
    void stopAll(supervisor, 10_000).then(() => process.exit(1));
  });
  const env = { ...process.env, REDIS_URL: redis.url, ...models.env };
  supervisor.start({
    name: 'gateway',
    script: path.join(REPO_ROOT, 'apps/gateway/dist/main.js'),
    env,
    restart: false,
  });
  for (let i = 1; i <= config.WORKERS; i++) {
    supervisor.start({
      name: `worker-${i}`,
      script: path.join(REPO_ROOT, 'apps/worker/dist/main.js'),
      env,
      restart: true,
    });
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    void stopAll(supervisor, 30_000).then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  const url = `http://localhost:${config.PORT}`;
  if (await waitForHttp(`${url}/readyz`, 60_000)) {
    log(
      `Argus is up at ${url}  (gateway + ${config.WORKERS} worker${config.WORKERS === 1 ? '' : 's'}; Ctrl-C stops)`,
    );
    const missing = Object.keys(models.missing);
    if (missing.length) log(`serving without: ${missing.join(', ')} (see the lines above; ${url}/readyz)`);
    log(`try: curl -F task=detect -F image=@photo.jpg ${url}/v1/jobs`);
  } else {
    log(`the gateway did not report ready within 60 s; see the log lines above (${url}/readyz)`);
  }
}

async function waitForHttp(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return true;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}

main().catch((err: Error) => {
  process.stderr.write(
    err instanceof ConfigError || err instanceof NoModelError
      ? `${err.message}\n`
      : `argus failed to start:\n${err.message}\n`,
  );
  process.exit(1);
});
