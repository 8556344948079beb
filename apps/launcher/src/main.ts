/**
 * `npm start`: the whole platform on one machine: checks Redis, installs missing models
 * from the mirror, then runs one gateway and WORKERS worker processes and prints the URL.
 */
import path from 'node:path';
import { REPO_ROOT, loadConfig, ConfigError } from '@argus/config';
import { installModels, manifestPathFor, readManifest } from '@argus/models';
import { pingRedis } from '@argus/queue';
import { redisHelp } from './redis-help';
import { Supervisor } from './supervisor';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = (line: string) => process.stdout.write(`[launcher]  ${line}\n`);

  if (!(await pingRedis(config.REDIS_URL, 3_000))) {
    process.stderr.write(`${redisHelp(config.REDIS_URL)}\n`);
    process.exit(1);
  }

  const manifest = readManifest(manifestPathFor(config.MODELS_DIR));
  const reports = await installModels(manifest, config.MODELS_DIR, {
    mirrorDir: config.MODEL_MIRROR || undefined,
    log,
  });
  log(`models ready: ${reports.map((r) => r.id).join(', ')}`);

  const supervisor = new Supervisor((reason) => {
    log(`${reason}; stopping`);
    void supervisor.stop(10_000).then(() => process.exit(1));
  });
  const env = { ...process.env };
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

  const url = `http://localhost:${config.PORT}`;
  if (await waitForHttp(`${url}/readyz`, 60_000)) {
    log(
      `Argus is up at ${url}  (gateway + ${config.WORKERS} worker${config.WORKERS === 1 ? '' : 's'}; Ctrl-C stops)`,
    );
    log(`try: curl -F task=detect -F image=@photo.jpg ${url}/v1/jobs`);
  } else {
    log(`the gateway did not report ready within 60 s; see the log lines above (${url}/readyz)`);
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    void supervisor.stop(30_000).then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
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
    err instanceof ConfigError ? `${err.message}\n` : `argus failed to start:\n${err.message}\n`,
  );
  process.exit(1);
});
