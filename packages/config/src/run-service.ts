import { createLogger, type Logger } from './logger';
import { loadConfig, type Config } from './load-config';

/**
 * Boots a long-running process: parses the config, builds the logger (JSON in production,
 * where the Docker image sets NODE_ENV, for the log shipper) and on SIGTERM/SIGINT closes
 * the service once (`close` finishes in-flight work) and exits 0, or 1 if closing failed.
 */
export function runService(
  name: string,
  start: (config: Config, log: Logger) => Promise<{ close(): Promise<void> }>,
  stoppingMessage: string,
): void {
  const boot = async () => {
    const config = loadConfig();
    const json = config.LOG_JSON || config.NODE_ENV === 'production';
    const log = createLogger({ name, level: config.LOG_LEVEL, json });
    const service = await start(config, log);
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info(stoppingMessage, { signal });
      service
        .close()
        .then(() => process.exit(0))
        .catch((err: Error) => {
          log.error('unclean shutdown', { err: err.message });
          process.exit(1);
        });
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  };
  boot().catch((err: Error) => {
    process.stderr.write(`argus ${name} failed to start:\n${err.message}\n`);
    process.exit(1);
  });
}
