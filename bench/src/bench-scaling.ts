/** Parts 2 (two workers) and 6 (batching grid, instances and threads) of `npm run bench`. */
import { loadConfig } from '@argus/config';
import { BenchPlatform } from './bench-platform';
import type { GridCell } from './report';
import { closedLoop, syncDetectRequest } from './http-load';
import { summarize } from './stats';
import { loadOpts, measureRun, type BenchContext } from './bench-runs';

/** Every setting at its default, to label runs that use them. */
const DEFAULTS = loadConfig({});

export async function benchTwoWorkers(ctx: BenchContext): Promise<void> {
  const { plan, report, next, say, overBudget, asyncRequest, benchEnv } = ctx;
  // ---- 2 (continued). Two worker processes -----------------------------------------------
  const two = new BenchPlatform(benchEnv);
  try {
    if (!overBudget('two workers')) {
      say('starting gateway and two workers (one instance of one thread each)');
      await two.startGateway();
      // One core each: two processes of one single-threaded instance per model.
      await two.startWorkers(2, { MODEL_INSTANCES: '1', INTRA_OP_THREADS: '1' });
      const detectReq = asyncRequest(two.url, { task: 'detect' });
      const parseReq = asyncRequest(two.url, { task: 'parse', model: 'bodypix-075' });
      await closedLoop({
        clients: 4,
        warmupMs: 0,
        durationMs: 1000,
        timeoutMs: 30_000,
        request: parseReq,
        next,
      });
      const detect2 = await measureRun(ctx, two, 'detect, 2 workers', () =>
        closedLoop({
          ...loadOpts(plan, plan.platform.detectClients, plan.platform.durationMs),
          request: detectReq,
          next,
        }),
      );
      report.platform.push({
        ...detect2,
        task: 'detect',
        note: 'MODEL_INSTANCES=1, INTRA_OP_THREADS=1 each',
      });
      if (!overBudget('parse, 2 workers')) {
        const parse2 = await measureRun(ctx, two, 'parse, 2 workers', () =>
          closedLoop({
            ...loadOpts(plan, plan.platform.parseClients, plan.platform.parseDurationMs),
            request: parseReq,
            next,
          }),
        );
        report.platform.push({
          ...parse2,
          task: 'parse',
          note: 'MODEL_INSTANCES=1, INTRA_OP_THREADS=1 each',
        });
      }
    }
  } finally {
    await two.close();
  }
}

export async function benchGrid(ctx: BenchContext): Promise<void> {
  const { plan, report, next, overBudget, asyncRequest, modelsDir: MODELS_DIR } = ctx;
  // ---- 6. Batching effect and instances ---------------------------------------------------
  const grid = new BenchPlatform({ MODELS_DIR, WORKER_TASKS: 'detect', WORKER_CONCURRENCY: '16' });
  try {
    if (!overBudget('batching grid')) {
      await grid.startGateway();
      const runCell = async (
        label: string,
        workerEnv: Record<string, string>,
        fields: Record<string, string>,
      ) => {
        await grid.startWorkers(1, workerEnv);
        const request = asyncRequest(grid.url, fields);
        const saturated = await measureRun(ctx, grid, label, () =>
          closedLoop({
            clients: plan.platform.detectClients,
            warmupMs: plan.grid.warmupMs,
            durationMs: plan.grid.durationMs,
            timeoutMs: plan.platform.timeoutMs,
            request,
            next,
          }),
        );
        // The synchronous endpoint waits on queue events, so a few ms of delay are visible.
        const light = await closedLoop({
          clients: 2,
          warmupMs: 300,
          durationMs: plan.grid.lightMs,
          timeoutMs: plan.platform.timeoutMs,
          request: syncDetectRequest(grid.url, fields.model ? { model: fields.model } : {}),
          next,
        });
        await grid.stopWorkers();
        return { saturated, light: summarize(light.latencies), lightThroughput: light.throughput };
      };
      outer: for (const maxBatchSize of plan.grid.maxBatchSizes) {
        for (const delay of plan.grid.delaysMs) {
          if (overBudget(`grid maxBatchSize=${maxBatchSize} delay=${delay}`)) break outer;
          const cell = await runCell(
            `yolov8n maxBatchSize ${maxBatchSize}, delay ${delay} ms`,
            {
              WORKER_MODELS: 'yolov8n',
              MODEL_OVERRIDES: `yolov8n:maxBatchSize=${maxBatchSize},maxQueueDelayMs=${delay},instances=1`,
            },
            { task: 'detect' },
          );
          report.grid.push({ maxBatchSize, delayMs: delay, ...cell });
        }
      }
      // Two passes, the second in reverse order, so a machine getting busier or quieter
      // during the run does not favour the settings measured first.
      const passes = [plan.grid.settings, [...plan.grid.settings].reverse()].slice(
        0,
        plan.grid.settingsPasses,
      );
      const results = new Map<string, GridCell[]>();
      outerSettings: for (const pass of passes) {
        for (const setting of pass) {
          if (overBudget(`settings: ${setting.label}`)) break outerSettings;
          const cell = await runCell(
            setting.label,
            {
              WORKER_MODELS: setting.model,
              MODEL_OVERRIDES: setting.overrides,
              WORKER_CONCURRENCY: String(setting.concurrency ?? DEFAULTS.WORKER_CONCURRENCY),
            },
            { task: 'detect', model: setting.model },
          );
          results.set(setting.label, [...(results.get(setting.label) ?? []), cell]);
        }
      }
      for (const setting of plan.grid.settings) {
        const measured = results.get(setting.label);
        if (measured) report.settings.push({ ...setting, passes: measured });
      }
    }
  } finally {
    await grid.close();
  }
}
