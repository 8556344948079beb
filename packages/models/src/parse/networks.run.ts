import type { Size } from '@argus/vision';
import { directDetectRunner, stackInputs, type BatchStats, type NetworkRun } from '../detect.pipeline';
import type { ModelEntry } from '../manifest.schema';
import type { ParseModel } from '../parse.model';
import { sessionRun, type SessionRun } from '../session';
import type { ClothesNetOutput, OutputData, ParseModels, ParseNetOutput, ParseRunners } from './parse.types';

/** Stage 2 of the parse pipeline: the network runs, and their outputs as plain typed views. */

/** The outputs a parse model's run must fetch (BodyPix: the pose outputs too when its entry names them). */
export function parseOutputNames(entry: ModelEntry): string[] {
  if (entry.format === 'bodypix') {
    const pose =
      entry.outputs.heatmaps && entry.outputs.offsets ? [entry.outputs.heatmaps, entry.outputs.offsets] : [];
    return [entry.outputs.segments, entry.outputs.parts, ...pose];
  }
  if (entry.format === 'sch-fusion') return [entry.outputs.probs];
  return [entry.outputs.logits];
}

function nchw(
  entry: ModelEntry,
  outputs: Readonly<Record<string, OutputData | undefined>>,
  name: string,
  n: number,
) {
  const t = outputs[name];
  if (!t) throw new Error(`model "${entry.id}" returned no output "${name}"`);
  if (t.dims.length !== 4 || t.dims[0] !== n) {
    throw new Error(`model "${entry.id}" output "${name}" has shape [${t.dims.join(',')}], expected NCHW`);
  }
  return { data: t.data as Float32Array, channels: t.dims[1], gridHeight: t.dims[2], gridWidth: t.dims[3] };
}

/**
 * Splits the outputs of one run over `n` inputs into each input's logits (views, no copy),
 * checking that the shapes and label counts fit the model.
 */
export function splitParseOutputs(
  model: Pick<ParseModel, 'entry' | 'classToLabel'>,
  outputs: Readonly<Record<string, OutputData | undefined>>,
  n: number,
): ParseNetOutput[] {
  const { entry } = model;
  const tensor = (name: string) => nchw(entry, outputs, name, n);
  if (entry.format === 'bodypix') {
    const seg = tensor(entry.outputs.segments);
    const parts = tensor(entry.outputs.parts);
    if (parts.channels !== model.classToLabel.length) {
      throw new Error(
        `model "${entry.id}" gives ${parts.channels} part channels, its labels list ${model.classToLabel.length}`,
      );
    }
    const gp = seg.gridWidth * seg.gridHeight;
    const heat =
      entry.outputs.heatmaps && outputs[entry.outputs.heatmaps] ? tensor(entry.outputs.heatmaps) : undefined;
    const offs =
      entry.outputs.offsets && outputs[entry.outputs.offsets] ? tensor(entry.outputs.offsets) : undefined;
    return Array.from({ length: n }, (_, i) => ({
      logits: {
        kind: 'sigmoid-person' as const,
        person: seg.data.subarray(i * gp, (i + 1) * gp),
        parts: parts.data.subarray(i * gp * parts.channels, (i + 1) * gp * parts.channels),
        numParts: parts.channels,
      },
      gridWidth: seg.gridWidth,
      gridHeight: seg.gridHeight,
      ...(heat && offs
        ? {
            pose: {
              heatmaps: heat.data.subarray(i * gp * heat.channels, (i + 1) * gp * heat.channels),
              offsets: offs.data.subarray(i * gp * offs.channels, (i + 1) * gp * offs.channels),
            },
          }
        : {}),
    }));
  }
  const out = tensor(entry.outputs.logits);
  if (out.channels !== model.classToLabel.length) {
    throw new Error(
      `model "${entry.id}" gives ${out.channels} classes, its labels list ${model.classToLabel.length}`,
    );
  }
  const per = out.channels * out.gridWidth * out.gridHeight;
  return Array.from({ length: n }, (_, i) => ({
    logits: {
      kind: 'softmax-background' as const,
      logits: out.data.subarray(i * per, (i + 1) * per),
      numClasses: out.channels,
    },
    gridWidth: out.gridWidth,
    gridHeight: out.gridHeight,
  }));
}

/** The segmenter's output of one run (batch 1): three probability planes. */
export function splitClothesOutput(
  entry: ModelEntry,
  outputs: Readonly<Record<string, OutputData | undefined>>,
): ClothesNetOutput {
  const t = nchw(entry, outputs, entry.outputs.probs, 1);
  if (t.channels !== 3) throw new Error(`model "${entry.id}" gives ${t.channels} channels, expected 3`);
  return { probs: t.data, gridWidth: t.gridWidth, gridHeight: t.gridHeight };
}

/**
 * Runs inputs that share one input size and returns each image's logits: the part network's
 * one run path (the worker's batcher and the direct runners below). Models with a dynamic
 * batch take them in one run; the others run one at a time.
 */
export async function runParseBatch(
  model: Pick<ParseModel, 'entry' | 'classToLabel'>,
  run: SessionRun,
  inputs: readonly Float32Array[],
  size: Size,
): Promise<ParseNetOutput[]> {
  const { entry } = model;
  if (!entry.batch.dynamic && inputs.length > 1) {
    const outs: ParseNetOutput[] = [];
    for (const input of inputs) outs.push(...(await runParseBatch(model, run, [input], size)));
    return outs;
  }
  const stacked = stackInputs(inputs, 3 * size.width * size.height);
  const outputs = await run(
    { [entry.input.name]: { data: stacked, dims: [inputs.length, 3, size.height, size.width] } },
    parseOutputNames(entry),
  );
  return splitParseOutputs(model, outputs, inputs.length);
}

/** A fused model's segmenter (fixed batch of 1): each input in its own run. */
export async function runClothesBatch(
  entry: ModelEntry,
  run: SessionRun,
  inputs: readonly Float32Array[],
): Promise<ClothesNetOutput[]> {
  const { width, height } = entry.preprocess;
  const outs: ClothesNetOutput[] = [];
  for (const input of inputs) {
    const outputs = await run(
      { [entry.input.name]: { data: input, dims: [1, 3, height, width] } },
      parseOutputNames(entry),
    );
    outs.push(splitClothesOutput(entry, outputs));
  }
  return outs;
}

/** Runners on the models' own sessions: one run per input size of the image, one after another. */
export function directParseRunners(models: ParseModels): ParseRunners {
  let id = 0;
  const { clothes } = models;
  const runParts = sessionRun(models.parts.session);
  return {
    detect: models.persons ? directDetectRunner(models.persons) : undefined,
    async parts(items) {
      const runs = new Array<NetworkRun<ParseNetOutput>>(items.length);
      for (const members of groupBySize(items.map((item) => item.size)).values()) {
        const started = performance.now();
        const outputs = await runParseBatch(
          models.parts,
          runParts,
          members.map((i) => items[i].input),
          items[members[0]].size,
        );
        const batch: BatchStats = {
          id: id++,
          size: members.length,
          waitMs: 0,
          runMs: performance.now() - started,
        };
        members.forEach((i, k) => (runs[i] = { output: outputs[k], batch }));
      }
      return runs;
    },
    ...(clothes
      ? {
          async clothes(inputs: readonly Float32Array[]) {
            const runs: NetworkRun<ClothesNetOutput>[] = [];
            const run = sessionRun(clothes.session);
            for (const input of inputs) {
              const started = performance.now();
              const [output] = await runClothesBatch(clothes.entry, run, [input]);
              runs.push({
                output,
                batch: { id: id++, size: 1, waitMs: 0, runMs: performance.now() - started },
              });
            }
            return runs;
          },
        }
      : {}),
  };
}

/** Indices of `sizes` grouped by equal size, in first-seen order. */
function groupBySize(sizes: readonly Size[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  sizes.forEach((size, i) => {
    const key = `${size.width}x${size.height}`;
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  return groups;
}
