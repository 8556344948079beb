import { createLogger, loadConfig } from '@argus/config';
import { startGateway } from './gateway-app';

async function main(): Promise<void> {
  const config = loadConfig();
  // Production (the Docker image sets NODE_ENV) logs JSON lines for the log shipper.
  const json = config.LOG_JSON || config.NODE_ENV === 'production';
  const log = createLogger({ name: 'gateway', level: config.LOG_LEVEL, json });
  const app = await startGateway(config, log);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('stopping: finishing in-flight requests', { signal });
    app
      .close()
      .then(() => process.exit(0))
      .catch((err: Error) => {
        log.error('unclean shutdown', { err: err.message });
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: Error) => {
  process.stderr.write(`argus gateway failed to start:\n${err.message}\n`);
  process.exit(1);
});
