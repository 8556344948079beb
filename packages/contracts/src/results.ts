/** Box corners in original-image pixels, after EXIF orientation. */
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

export interface ModelRef {
  id: string;
  sha256: string;
}

export interface DetectResult {
  detections: Detection[];
  count: number;
  image: { width: number; height: number };
  model: ModelRef;
  timings: { decodeMs: number; inferMs: number; postMs: number };
}

export const JOB_STATUSES = ['queued', 'active', 'completed', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
