import type { Config } from '@argus/config';
import type { Manifest, ModelEntry } from '@argus/models';

/** How one model is served: its batcher and its session instances. */
export interface ModelServing {
  /** The most inputs one run takes (1 for models with a fixed batch of one). */
  maxBatchSize: number;
  /** How long a partial batch may wait for more inputs, in ms. */
  maxQueueDelayMs: number;
  /** Sizes that go as soon as they can be formed. */
  preferredBatchSizes: number[];
  /** Sessions of the model, each on its own thread. */
  instances: number;
  /** onnxruntime intra-op threads of each session. */
  intraOpThreads: number;
}

export type ServingConfig = Pick<
  Config,
  | 'BATCH_MAX_SIZE'
  | 'BATCH_MAX_DELAY_MS'
  | 'BATCH_PREFERRED_SIZES'
  | 'MODEL_INSTANCES'
  | 'INTRA_OP_THREADS'
  | 'MODEL_OVERRIDES'
>;

/**
 * The serving settings of one model: its `MODEL_OVERRIDES` entry over the global knobs.
 * A model with a fixed batch of one always runs batches of 1 (global sizes do not apply to
 * it; an override asking for more is an error). Threads default to the cores shared by the
 * model's instances. Throws naming the model and the setting when they contradict.
 */
export function resolveModelServing(
  entry: Pick<ModelEntry, 'id' | 'batch'>,
  config: ServingConfig,
  cores: number,
): ModelServing {
  const override = config.MODEL_OVERRIDES[entry.id] ?? {};
  const where = `MODEL_OVERRIDES for "${entry.id}"`;
  const instances = override.instances ?? config.MODEL_INSTANCES;
  const intraOpThreads =
    override.intraOpThreads ??
    (config.INTRA_OP_THREADS > 0 ? config.INTRA_OP_THREADS : Math.max(1, Math.floor(cores / instances)));

  if (!entry.batch.dynamic) {
    if ((override.maxBatchSize ?? 1) > 1 || (override.preferredBatchSizes ?? []).some((n) => n > 1)) {
      throw new Error(`${where}: the model has a fixed batch of 1; use instances to run it in parallel`);
    }
    return { maxBatchSize: 1, maxQueueDelayMs: 0, preferredBatchSizes: [], instances, intraOpThreads };
  }

  const maxBatchSize = override.maxBatchSize ?? config.BATCH_MAX_SIZE;
  let preferredBatchSizes: number[];
  if (override.preferredBatchSizes) {
    const tooBig = override.preferredBatchSizes.find((n) => n > maxBatchSize);
    if (tooBig !== undefined) {
      throw new Error(`${where}: preferred batch size ${tooBig} is larger than maxBatchSize ${maxBatchSize}`);
    }
    preferredBatchSizes = [...override.preferredBatchSizes];
  } else {
    // Global sizes above this model's own maximum cannot be formed; they are dropped.
    preferredBatchSizes = config.BATCH_PREFERRED_SIZES.filter((n) => n <= maxBatchSize);
  }
  return {
    maxBatchSize,
    maxQueueDelayMs: override.maxQueueDelayMs ?? config.BATCH_MAX_DELAY_MS,
    preferredBatchSizes,
    instances,
    intraOpThreads,
  };
}

/** Settings of every model a worker loads; an override naming an unknown model is an error. */
export function resolveServing(
  manifest: Manifest,
  modelIds: readonly string[],
  config: ServingConfig,
  cores: number,
): Record<string, ModelServing> {
  const known = manifest.models.map((m) => m.id);
  const unknown = Object.keys(config.MODEL_OVERRIDES).filter((id) => !known.includes(id));
  if (unknown.length) {
    throw new Error(
      `MODEL_OVERRIDES names unknown model(s) ${unknown.join(', ')} (known: ${known.join(', ')})`,
    );
  }
  const out: Record<string, ModelServing> = {};
  for (const id of modelIds) {
    const entry = manifest.models.find((m) => m.id === id);
    if (!entry) throw new Error(`model "${id}" is not in the manifest`);
    out[id] = resolveModelServing(entry, config, cores);
  }
  return out;
}

/**
 * The smallest BullMQ concurrency with which every model can fill a batch and keep each of
 * its instances busy. More lets the next batch decode while one runs, but on a CPU-bound
 * machine each extra job in hand competes for the cores (bench/RESULTS.md, part 6).
 */
export function concurrencyToFillBatches(serving: Record<string, ModelServing>): number {
  return Math.max(1, ...Object.values(serving).map((s) => Math.max(s.maxBatchSize, s.instances)));
}
