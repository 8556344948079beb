import type { Task } from '@argus/contracts';
import type { Manifest } from '@argus/models';
import type { Logger } from '@argus/config';
import { InferenceClient } from './inference-client';
import type { InferenceThreadInit } from './inference-protocol';

export interface InferenceLanes {
  detect: InferenceClient;
  parse: InferenceClient;
  loadedModels: string[];
  close(): Promise<void>;
}

/**
 * One inference thread per task when a worker serves both detect and parse. Each job's
 * decode and post-processing run on its thread; a 40 MP parse spends seconds there
 * (masks, overlay), which would stall every detect job queued behind it on a shared thread.
 * The parse lane loads its own copy of the person detector (YOLOv8n, ~12 MB). A worker that
 * serves one task, or loads no parse model, keeps a single thread.
 */
export async function startInferenceLanes(
  init: Omit<InferenceThreadInit, 'modelIds'>,
  manifest: Manifest,
  modelIds: readonly string[],
  tasks: readonly Task[],
  log: Logger,
): Promise<InferenceLanes> {
  const taskOf = (id: string) => manifest.models.find((m) => m.id === id)?.task;
  const parseIds = modelIds.filter((id) => taskOf(id) === 'parse');
  // Detection and segmentation (short jobs) share the detect lane; parse has its own.
  const detectIds = modelIds.filter((id) => taskOf(id) !== 'parse');
  const personDetector = manifest.models.find((m) => m.task === 'detect' && m.default)?.id;
  const split =
    tasks.includes('parse') &&
    tasks.some((t) => t !== 'parse') &&
    parseIds.length > 0 &&
    detectIds.length > 0;
  if (!split) {
    const one = await InferenceClient.start({ ...init, modelIds: [...modelIds] }, log);
    return { detect: one, parse: one, loadedModels: one.loadedModels, close: () => one.close() };
  }
  const parseLaneIds =
    personDetector && modelIds.includes(personDetector) ? [...parseIds, personDetector] : parseIds;
  const [detect, parse] = await Promise.all([
    InferenceClient.start({ ...init, modelIds: detectIds }, log.child({ lane: 'detect' })),
    InferenceClient.start({ ...init, modelIds: parseLaneIds }, log.child({ lane: 'parse' })),
  ]);
  return {
    detect,
    parse,
    loadedModels: [...new Set([...detect.loadedModels, ...parse.loadedModels])],
    close: async () => {
      await Promise.all([detect.close(), parse.close()]);
    },
  };
}
