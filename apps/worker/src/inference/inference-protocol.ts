import type {
  DetectOptions,
  DetectResult,
  ErrorCode,
  ParseOptions,
  ParseResult,
  SegmentOptions,
  SegmentResult,
} from '@argus/contracts';
import type { ModelServing } from '../batching/model-settings';

/** Messages between the worker's main thread and its inference thread. */
export interface InferenceThreadInit {
  modelsDir: string;
  manifestPath: string;
  modelIds: string[];
  maxPixels: number;
  /** Decodes longer than this are aborted (sharp's timeout); the job's deadline in seconds. */
  decodeTimeoutSeconds?: number;
  /** overlay.png larger than this (pixels) is drawn downscaled (MAX_RENDER_PIXELS). */
  maxRenderPixels?: number;
  /** How each model in `modelIds` is served: batching, instances, threads. */
  serving: Record<string, ModelServing>;
}

/** The upload bytes travel as a transferred buffer, never copied between threads. */
export type InferenceRequest =
  | { requestId: number; kind: 'detect'; modelId: string; image: Uint8Array; options: DetectOptions }
  | { requestId: number; kind: 'parse'; modelId: string; image: Uint8Array; options: ParseOptions }
  | { requestId: number; kind: 'segment'; modelId: string; image: Uint8Array; options: SegmentOptions };

/** PNGs produced by a parse, by artifact name (`overlay.png`, `labels.png`, `person-0.png`, …). */
export type Artifacts = Record<string, Uint8Array>;

export type InferenceOutput =
  | { kind: 'detect'; result: DetectResult; artifacts: Artifacts }
  | { kind: 'parse'; result: ParseResult; artifacts: Artifacts }
  | { kind: 'segment'; result: SegmentResult; artifacts: Artifacts };

export type InferenceResponse =
  | { requestId: number; ok: true; output: InferenceOutput }
  | { requestId: number; ok: false; error: { code: ErrorCode; message: string } };

export type ThreadEvent =
  | { type: 'ready'; models: string[]; loadMs: number; serving: Record<string, ModelServing> }
  | { type: 'init-failed'; message: string }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string; fields?: Record<string, unknown> }
  | ({ type: 'response' } & InferenceResponse);

// ---------------------------------------------------------------------------------------------
// Between the inference thread and a model instance (session thread).

export interface SessionThreadInit {
  modelsDir: string;
  manifestPath: string;
  modelId: string;
  intraOpThreads: number;
}

/** A float32 tensor as a thread message: its buffer is transferred, not copied. */
export interface TensorMessage {
  data: Float32Array;
  dims: number[];
}

export interface RunRequest {
  runId: number;
  feeds: Record<string, TensorMessage>;
  fetch: string[];
}

export type SessionEvent =
  | { type: 'ready'; loadMs: number }
  | { type: 'init-failed'; message: string }
  | { type: 'result'; runId: number; ok: true; outputs: Record<string, TensorMessage>; runMs: number }
  | { type: 'result'; runId: number; ok: false; message: string };
