/**
 * What the page offers in its controls. The option names are the API's form fields and the
 * defaults are the job catalog's (packages/contracts), so a request from the page reads
 * exactly like one from `curl`; `options.catalog.test.ts` keeps both lists in step.
 */
export type Task = 'detect' | 'parse' | 'segment';

export interface ModelChoice {
  id: string;
  task: Task;
  /** The model the API runs when the `model` field is left out. */
  default: boolean;
  /** A few words shown beside the id. */
  note: string;
}

/** The models of `models/manifest.json`, in the order the menu lists them. */
export const MODELS: readonly ModelChoice[] = [
  { id: 'yolov8n', task: 'detect', default: true, note: 'float32' },
  { id: 'yolov8n-int8', task: 'detect', default: false, note: 'int8, smaller' },
  { id: 'bodypix-075', task: 'parse', default: false, note: 'body parts only' },
  { id: 'bodypix-050', task: 'parse', default: false, note: 'body parts only, faster' },
  { id: 'yolov8n-seg', task: 'segment', default: true, note: 'int8, 320 px' },
  { id: 'bodypix-075-sch', task: 'parse', default: true, note: 'hair, clothes, pants, shoes' },
];

export const DETECT_DEFAULTS = {
  confidence: 0.25,
  iou: 0.45,
  maxDetections: 300,
  overlay: false,
} as const;

export const PARSE_DEFAULTS = {
  threshold: 0.5,
  alpha: 0.5,
  mode: 'crops',
  personConfidence: 0.25,
  maxPersons: 20,
  pose: false,
} as const;

export const SEGMENT_DEFAULTS = {
  confidence: 0.25,
  iou: 0.45,
  maxDetections: 100,
  overlay: true,
} as const;

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

export function modelsFor(task: Task): ModelChoice[] {
  return MODELS.filter((m) => m.task === task);
}

export function defaultModel(task: Task): string {
  return (MODELS.find((m) => m.task === task && m.default) ?? modelsFor(task)[0]).id;
}

/** Form fields of a submission, in the order they are sent (and shown in the curl command). */
export type Fields = [name: string, value: string][];

/**
 * The fields to send: the task, the model, the main options always (so the request says
 * what the page showed), advanced options only when they differ from the API's default.
 */
export function submissionFields(task: Task, values: Record<string, string>): Fields {
  const fields: Fields = [
    ['task', task],
    ['model', values.model || defaultModel(task)],
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
