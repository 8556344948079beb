import type {
  DetectOptions,
  DetectResult,
  ParseOptions,
  ParseResult,
  SegmentOptions,
  SegmentResult,
} from '@argus/contracts';
import type { NetworkRun } from '@argus/models';
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
  /**
   * The person detector parse uses when another lane holds it (the detect lane, reached
   * through the main thread): its id. Unset: parse uses a detector of this thread.
   */
  remoteDetector?: string;
  /** Models of `modelIds` verified at start whose session is created on their first run. */
  onDemand: string[];
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

/** An answer, with the on-demand models whose session its thread holds by now. */
export type InferenceAnswer = InferenceOutput & { loadedOnDemand: string[] };

/** A parse thread's call for the detect lane's person detector: one prepared input. */
export interface DetectorCall {
  modelId: string;
  input: Float32Array;
}

/** The detector's output for that input and the run it shared (see `NetworkRun`). */
export type DetectorAnswer = NetworkRun<Float32Array>;

/** What an inference thread takes: a job, or a detector input relayed from another lane. */
export type ThreadRequest = InferenceRequest | ({ kind: 'detector' } & DetectorCall);
export type ThreadAnswer = InferenceAnswer | { kind: 'detector'; run: DetectorAnswer };

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
