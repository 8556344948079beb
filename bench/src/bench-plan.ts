import type { CeilingConfig } from './ceiling';

/** How long and how hard each part of the benchmark runs. */
export interface BenchPlan {
  mode: 'full' | 'smoke';
  /** The whole run stops starting new parts after this (they are reported as skipped). */
  budgetMs: number;
  ceiling: { warmupMs: number; durationMs: number; detect: CeilingConfig[]; parse: CeilingConfig[] };
  /** Closed-loop clients and timings of the platform runs. */
  platform: {
    warmupMs: number;
    durationMs: number;
    detectClients: number;
    parseClients: number;
    parseDurationMs: number;
    /** Warm-up jobs before the idle memory reading, and the pause before it. */
    primeMs: number;
    settleMs: number;
    /** The same detect load through the synchronous `POST /detect` (no polling). */
    syncDurationMs: number;
    timeoutMs: number;
  };
  /** Status polls start `pollMs` after submitting and back off by ×1.25 up to `pollMaxMs`. */
  pollMs: number;
  pollMaxMs: number;
  /** Clients poll (BENCH_POLL_MS set) instead of waiting on the events stream. */
  polling?: boolean;
  cacheMs: number;
  /** Results without polling: clients through the events stream and long-poll, and a light load. */
  wait: { clients: number; durationMs: number; lightClients: number; lightMs: number };
  overload: { durationMs: number; timeoutMs: number; factor: number };
  /** The DeepStack route at light load, per model (deepstack-latency.ts). */
  deepstack: { warmupMs: number; durationMs: number; timeoutMs: number };
  grid: {
    maxBatchSizes: number[];
    delaysMs: number[];
    warmupMs: number;
    durationMs: number;
    /** A light load (2 clients) after each saturated run: what the delay costs an idle system. */
    lightMs: number;
    /** Other settings, one worker each: the defaults, and instances × threads of both detectors. */
    settings: SettingsCell[];
    /** 2: measure the settings again in reverse order (drift on a shared machine cancels out). */
    settingsPasses: number;
  };
}

/** One worker setting to measure: `overrides` is MODEL_OVERRIDES for `model` (empty: defaults). */
export interface SettingsCell {
  label: string;
  model: string;
  overrides: string;
  /** WORKER_CONCURRENCY; undefined = its default. */
  concurrency?: number;
}

const cell = (model: string, instances: number, threads: number, maxBatchSize?: number): SettingsCell => ({
  label: `${model}, ${instances} × ${threads} thread${threads > 1 ? 's' : ''}${maxBatchSize ? `, maxBatchSize ${maxBatchSize}` : ''}`,
  model,
  overrides: `${model}:instances=${instances},intraOpThreads=${threads}${maxBatchSize ? `,maxBatchSize=${maxBatchSize}` : ''}`,
});

const detect = (instances: number, intraOpThreads: number, batch: number): CeilingConfig => ({
  task: 'detect',
  instances,
  intraOpThreads,
  batch,
  inFlight: 1,
});
const parse = (instances: number, intraOpThreads: number, inFlight: number): CeilingConfig => ({
  task: 'parse',
  instances,
  intraOpThreads,
  batch: 1,
  inFlight,
});

export const FULL_PLAN: BenchPlan = {
  mode: 'full',
  // Parts start only within 8 min, so the run (longest part under a minute) ends within 9.
  budgetMs: 8 * 60_000,
  ceiling: {
    warmupMs: 1000,
    durationMs: 4000,
    detect: [
      detect(1, 2, 1),
      detect(1, 2, 2),
      detect(1, 2, 4),
      detect(1, 2, 8),
      detect(1, 1, 1),
      detect(2, 1, 1),
      detect(2, 1, 4),
    ],
    parse: [parse(1, 2, 1), parse(1, 2, 2), parse(2, 1, 1)],
  },
  platform: {
    warmupMs: 3000,
    durationMs: 12_000,
    detectClients: 16,
    parseClients: 8,
    parseDurationMs: 12_000,
    primeMs: 1500,
    settleMs: 2000,
    syncDurationMs: 8000,
    timeoutMs: 30_000,
  },
  pollMs: 50,
  pollMaxMs: 250,
  cacheMs: 6000,
  deepstack: { warmupMs: 2000, durationMs: 20_000, timeoutMs: 10_000 },
  wait: { clients: 8, durationMs: 10_000, lightClients: 1, lightMs: 6000 },
  overload: { durationMs: 10_000, timeoutMs: 15_000, factor: 2 },
  grid: {
    maxBatchSizes: [1, 2, 4, 8],
    delaysMs: [0, 5, 20],
    warmupMs: 1000,
    durationMs: 4000,
    lightMs: 1500,
    settingsPasses: 2,
    settings: [
      { label: 'yolov8n, every setting at its default', model: 'yolov8n', overrides: '' },
      {
        label: 'yolov8n, defaults but WORKER_CONCURRENCY 16',
        model: 'yolov8n',
        overrides: '',
        concurrency: 16,
      },
      cell('yolov8n', 1, 2),
      cell('yolov8n', 2, 1, 1),
      cell('yolov8n-int8', 1, 2),
      cell('yolov8n-int8', 2, 1),
    ],
  },
};

/** About a minute: every part runs, briefly, so CI proves the suite works (no timing checks). */
export const SMOKE_PLAN: BenchPlan = {
  mode: 'smoke',
  budgetMs: 4 * 60_000,
  ceiling: {
    warmupMs: 300,
    durationMs: 1200,
    detect: [detect(1, 2, 1), detect(2, 1, 1)],
    parse: [parse(1, 2, 1)],
  },
  platform: {
    warmupMs: 500,
    durationMs: 2500,
    detectClients: 8,
    parseClients: 4,
    parseDurationMs: 2000,
    primeMs: 500,
    settleMs: 500,
    syncDurationMs: 2000,
    timeoutMs: 20_000,
  },
  pollMs: 50,
  pollMaxMs: 250,
  cacheMs: 1500,
  deepstack: { warmupMs: 500, durationMs: 2500, timeoutMs: 10_000 },
  wait: { clients: 8, durationMs: 2000, lightClients: 1, lightMs: 1500 },
  overload: { durationMs: 1500, timeoutMs: 4000, factor: 2 },
  grid: {
    maxBatchSizes: [4],
    delaysMs: [5],
    warmupMs: 300,
    durationMs: 2000,
    lightMs: 1000,
    settingsPasses: 1,
    settings: [{ label: 'yolov8n, every setting at its default', model: 'yolov8n', overrides: '' }],
  },
};
