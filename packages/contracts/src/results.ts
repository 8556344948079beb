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

/** Size of a rendered image (overlay.png) when it was downscaled to stay within MAX_RENDER_PIXELS. */
export interface RenderedSize {
  width: number;
  height: number;
  /** Rendered width ÷ image width (< 1: downscaled). */
  scale: number;
}

export interface DetectResult {
  detections: Detection[];
  count: number;
  image: { width: number; height: number };
  model: ModelRef;
  timings: { decodeMs: number; inferMs: number; postMs: number };
  /** Present when overlay.png was drawn smaller than the image. */
  overlay?: RenderedSize;
}

/**
 * A binary mask in COCO's uncompressed run-length encoding: pixels in column-major order,
 * `counts` alternating runs of 0s and 1s starting with 0s (`counts[0]` may be 0). pycocotools
 * reads it with `mask.frPyObjects(rle, h, w)`.
 */
export interface RleMask {
  /** [height, width]. */
  size: [number, number];
  counts: number[];
}

export interface ParsePart {
  /** LIP label name (see `legend`). */
  label: string;
  /** Pixels of this part owned by the person, at original resolution. */
  pixels: number;
  /** Bounding box of those pixels, pixel-edge coordinates (x2, y2 exclusive). */
  box: Box;
}

export interface ParsePerson {
  /** 1-based; the same number is this person's value in masks and `personMaskPngs[id - 1]`. */
  id: number;
  /** `crops` mode: the detector's person box; `whole` mode: the bounds of the person's pixels. */
  box: Box;
  /** `crops` mode: detector confidence; `whole` mode: mean person probability of the region. */
  score: number;
  /** Parts present, in LIP id order. */
  parts: ParsePart[];
  /** All pixels owned by the person (any part). No pixel belongs to two people. */
  mask: RleMask;
  /**
   * The person's pose: the 17 COCO keypoints in COCO order (nose, leftEye, …, rightAnkle),
   * original-image pixels, score 0–1 (sigmoid of the heatmap). Parse models without a pose
   * head (SCHP-style) leave it out.
   */
  keypoints?: ParseKeypoint[];
}

export interface ParseKeypoint {
  name: string;
  x: number;
  y: number;
  score: number;
}

export interface ParseLegendEntry {
  /** LIP id: the pixel value in the label PNG. */
  id: number;
  label: string;
  /** `#rrggbb` used in the overlay and the label PNG's palette. */
  color: string;
}

export interface ParseResult {
  persons: ParsePerson[];
  numPersons: number;
  /** LIP labels present anywhere in the image (Background excluded), in id order. */
  partsDetected: string[];
  /** Background plus every label present, in id order. */
  legend: ParseLegendEntry[];
  image: { width: number; height: number };
  model: ModelRef;
  /** Which pipeline ran (see ParseOptions.mode). */
  mode: 'crops' | 'whole';
  /** The person detector used in `crops` mode. */
  personModel?: ModelRef;
  timings: { decodeMs: number; detectMs: number; inferMs: number; postMs: number };
  /** Present when overlay.png was drawn smaller than the image. */
  overlay?: RenderedSize;
}

export interface SegmentInstance extends Detection {
  /** The instance's pixels at original resolution, inside `box`. */
  mask: RleMask;
  /** Set pixels of `mask`. */
  area: number;
}

export interface SegmentResult {
  /** Highest confidence first; `/v1/jobs/:id/instances/:n/mask.png` is `instances[n]`'s mask. */
  instances: SegmentInstance[];
  count: number;
  image: { width: number; height: number };
  model: ModelRef;
  timings: { decodeMs: number; inferMs: number; postMs: number };
  /** Present when overlay.png was drawn smaller than the image (MAX_RENDER_PIXELS). */
  overlay?: RenderedSize;
}

export const JOB_STATUSES = ['queued', 'active', 'completed', 'failed', 'canceled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
