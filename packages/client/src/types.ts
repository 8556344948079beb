/** What the API answers, as the client sees it (a test keeps these in step with the server). */
export type Task = 'detect' | 'parse' | 'segment';
/** Later API versions may add states; the terminal ones are completed, failed and canceled. */
export type JobStatus = 'queued' | 'active' | 'completed' | 'failed' | 'canceled';

export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface Detection {
  label: string;
  classId: number;
  confidence: number;
  box: Box;
}

export interface DetectResult {
  detections: Detection[];
  count: number;
  image: { width: number; height: number };
  model: { id: string; sha256: string };
}

export interface ParsePerson {
  id: number;
  box: Box;
  score: number;
  parts: { label: string; pixels: number; box: Box }[];
}

export interface ParseResult {
  persons: ParsePerson[];
  numPersons: number;
  partsDetected: string[];
  legend: { id: number; label: string; color: string }[];
  image: { width: number; height: number };
  model: { id: string; sha256: string };
}

/** COCO's uncompressed RLE: run lengths in column-major order, starting with background. */
export interface RleMask {
  size: [height: number, width: number];
  counts: number[];
}

export interface SegmentInstance extends Detection {
  mask: RleMask;
  /** Mask pixels. */
  area: number;
}

export interface SegmentResult {
  instances: SegmentInstance[];
  count: number;
  image: { width: number; height: number };
  model: { id: string; sha256: string };
}

export interface JobLinks {
  self: string;
  overlay?: string;
  labels?: string;
  masks?: string[];
}

/** `GET /v1/jobs/:id`. */
export interface JobView<R = unknown> {
  id: string;
  task: Task;
  status: JobStatus;
  progress: { stage: string; percent: number };
  cached: boolean;
  md5: string;
  model: string;
  result?: R;
  error?: { code: string; message: string };
  createdAt: string;
  finishedAt: string | null;
  timings: { queuedMs?: number; processingMs?: number; totalMs?: number; attempts?: number };
  links: JobLinks;
  cancelRequested?: boolean;
}

export const TERMINAL_STATUSES: readonly string[] = ['completed', 'failed', 'canceled'];

export function isTerminal(view: Pick<JobView, 'status'>): boolean {
  return TERMINAL_STATUSES.includes(view.status);
}
