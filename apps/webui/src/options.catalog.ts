/**
 * What the page offers in its controls. The option names are the API's form fields and the
 * defaults are the job catalog's own (@argus/contracts, bundled in), so a request from the
 * page reads exactly like one from `curl`. The models come from the server (`/readyz`).
 */
import {
  DetectOptionsSchema,
  ParseOptionsSchema,
  SegmentOptionsSchema,
  type ModelState,
  type Task,
} from '@argus/contracts';

export type { Task };

/** A model the menu offers: the manifest's entry as `/readyz` lists it (manifest order). */
export type ModelChoice = Pick<ModelState, 'id' | 'task' | 'default'>;

export const DETECT_DEFAULTS = withoutModel(DetectOptionsSchema.parse({}));
export const PARSE_DEFAULTS = withoutModel(ParseOptionsSchema.parse({}));
export const SEGMENT_DEFAULTS = withoutModel(SegmentOptionsSchema.parse({}));

/** A task's option defaults without `model` (the menu picks the model). */
function withoutModel<T extends { model?: string }>(options: T): Omit<T, 'model'> {
  const { model: _model, ...rest } = options;
  return rest;
}

export const TASK_TITLES: Record<Task, string> = {
  detect: 'Detect objects',
  parse: 'Parse people',
  segment: 'Segment objects',
};

/**
 * The options each task's controls offer. Segmentation shares the detection controls it has
 * in common (confidence, NMS IoU); the page draws masks itself, so it never asks for the
 * overlay, and the instance cap keeps its API default.
 */
const TASK_OPTIONS: Record<Task, Record<string, string | number | boolean>> = {
  detect: DETECT_DEFAULTS,
  parse: PARSE_DEFAULTS,
  segment: { confidence: SEGMENT_DEFAULTS.confidence, iou: SEGMENT_DEFAULTS.iou },
};

/** The task's models, in the order the server lists them (the manifest's). */
export function modelsFor(models: readonly ModelChoice[], task: Task): ModelChoice[] {
  return models.filter((m) => m.task === task);
}

/** The task's default model; '' while the server's list is unknown (the API then picks it). */
export function defaultModel(models: readonly ModelChoice[], task: Task): string {
  return (models.find((m) => m.task === task && m.default) ?? modelsFor(models, task)[0])?.id ?? '';
}

/** Form fields of a submission, in the order they are sent (and shown in the curl command). */
export type Fields = [name: string, value: string][];

/**
 * The fields to send: the task, the model, the main options always (so the request says
 * what the page showed), advanced options only when they differ from the API's default.
 */
export function submissionFields(
  task: Task,
  values: Record<string, string>,
  models: readonly ModelChoice[],
): Fields {
  const fields: Fields = [
    ['task', task],
    ['model', values.model || defaultModel(models, task)],
  ];
  const main = task === 'parse' ? ['personConfidence', 'alpha'] : ['confidence'];
  const defaults = TASK_OPTIONS[task];
  for (const name of main) fields.push([name, values[name] ?? String(defaults[name])]);
  for (const [name, fallback] of Object.entries(defaults)) {
    if (main.includes(name)) continue;
    const value = values[name];
    if (value !== undefined && value !== '' && value !== String(fallback)) fields.push([name, value]);
  }
  return fields;
}

/** A number field's value from submitted fields, or the default. */
export function numberField(fields: Fields, name: string, fallback: number): number {
  const found = fields.find(([k]) => k === name);
  const value = found ? Number(found[1]) : NaN;
  return Number.isFinite(value) ? value : fallback;
}
