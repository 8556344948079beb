import type {
  DetectOptions,
  DetectResult,
  ParseOptions,
  ParseResult,
  SegmentOptions,
  SegmentResult,
} from '@argus/contracts';
import type { ModelServing } from '../batching/model-settings';

/** Messages between the worker's main thread and its inference threads (see `thread-rpc.ts`). */
export interface InferenceThreadInit {
  modelsDir: string;
  manifestPath: string;
  modelIds: string[];
  maxPixels: number;
  /** Decodes longer than this are aborted (sharp's timeout); the job's deadline in seconds. */
  decodeTimeoutSeconds?: number;
  /** overlay.png larger than this (pixels) is drawn downscaled (MAX_RENDER_PIXELS). */
  maxRenderPixels?: number;
  /** How each model in `modelIds` is served: batching, intra-op threads. */
  serving: Record<string, ModelServing>;
}

/** The upload bytes travel as a transferred buffer, never copied between threads. */
export type InferenceRequest =
  | { kind: 'detect'; modelId: string; image: Uint8Array; options: DetectOptions }
  | { kind: 'parse'; modelId: string; image: Uint8Array; options: ParseOptions }
  | { kind: 'segment'; modelId: string; image: Uint8Array; options: SegmentOptions };

/** PNGs produced by a parse, by artifact name (`overlay.png`, `labels.png`, `person-0.png`, …). */
export type Artifacts = Record<string, Uint8Array>;

export type InferenceOutput =
  | { kind: 'detect'; result: DetectResult; artifacts: Artifacts }
  | { kind: 'parse'; result: ParseResult; artifacts: Artifacts }
  | { kind: 'segment'; result: SegmentResult; artifacts: Artifacts };

/** What a thread reports once its models are loaded. */
export interface ThreadReady {
  models: string[];
  loadMs: number;
}

/** What processors call: one method per task. */
export interface Inference {
  detect(
    modelId: string,
    image: Buffer,
    options: DetectOptions,
  ): Promise<{ result: DetectResult; artifacts: Artifacts }>;
  parse(
    modelId: string,
    image: Buffer,
    options: ParseOptions,
  ): Promise<{ result: ParseResult; artifacts: Artifacts }>;
  segment(
    modelId: string,
    image: Buffer,
    options: SegmentOptions,
  ): Promise<{ result: SegmentResult; artifacts: Artifacts }>;
}
