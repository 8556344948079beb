import {
  loadDetectModel,
  loadParseModelSet,
  manifestPathFor,
  readManifest,
  resolveModel,
  type DetectModel,
  type ParseModelSet,
} from '@argus/models';

export interface ParseEvalModels {
  /** The parse model's manifest id (the task's default when none was named). */
  modelId: string;
  set: ParseModelSet;
  /** The person detector, when asked for (crops mode needs it). */
  persons?: DetectModel;
}

/**
 * Loads a parse model (and the person detector unless `persons` is false) the way the worker
 * does, runs `use` with them and releases every session afterwards, whatever `use` does. The
 * parse evals (bucket-eval.ts, parse-eval.ts) score through it.
 */
export async function withParseModels<T>(
  opts: {
    modelsDir: string;
    modelId?: string;
    persons: boolean;
    personModelId?: string;
    intraOpThreads?: number;
  },
  use: (models: ParseEvalModels) => Promise<T>,
): Promise<T> {
  const manifest = readManifest(manifestPathFor(opts.modelsDir));
  const entry = resolveModel(manifest, 'parse', opts.modelId);
  const sessionOpts = { intraOpThreads: opts.intraOpThreads ?? 0 };
  let set: ParseModelSet | undefined;
  let persons: DetectModel | undefined;
  try {
    set = await loadParseModelSet(manifest, entry, opts.modelsDir, sessionOpts);
    if (opts.persons) {
      persons = await loadDetectModel(
        resolveModel(manifest, 'detect', opts.personModelId),
        opts.modelsDir,
        sessionOpts,
      );
    }
    return await use({ modelId: entry.id, set, persons });
  } finally {
    await set?.parts.session.release();
    await set?.clothes?.session.release();
    await persons?.session.release();
  }
}
