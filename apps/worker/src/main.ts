import { runService } from '@argus/config';
import { startWorker } from './worker-app';

runService(
  'worker',
  async (config, log) => {
    const app = await startWorker(config, log);
    return {
      async close() {
        await app.close();
        if (app.handedBack > 0) {
          // Work abandoned at the grace period may still run in libvips' thread pool, and
          // process.exit() waits for it (libvips joins its threads at exit): seconds, for a
          // decode bomb. Its jobs are already back in the queue and every connection is
          // closed, so end the process at once.
          log.warn('exiting without waiting for abandoned work', { handedBack: app.handedBack });
          process.kill(process.pid, 'SIGKILL');
        }
      },
    };
  },
  'stopping: finishing active jobs',
);
