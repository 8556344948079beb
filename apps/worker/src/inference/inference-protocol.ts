import type { DetectOptions, DetectResult, ErrorCode, ParseOptions, ParseResult } from '@argus/contracts';

/** Messages between the worker's main thread and its inference thread. */
export interface InferenceThreadInit {
  modelsDir: string;
  manifestPath: string;
  modelIds: string[];
  intraOpThreads: number;
  maxPixels: number;
}

/** The upload bytes travel as a transferred buffer, never copied between threads. */
export type InferenceRequest =
  | { requestId: number; kind: 'detect'; modelId: string; image: Uint8Array; options: DetectOptions }
  | { requestId: number; kind: 'parse'; modelId: string; image: Uint8Array; options: ParseOptions };

/** PNGs produced by a parse, by artifact name (`overlay.png`, `labels.png`, `person-0.png`, …). */
export type Artifacts = Record<string, Uint8Array>;

export type InferenceOutput =
  | { kind: 'detect'; result: DetectResult; artifacts: Artifacts }
  | { kind: 'parse'; result: ParseResult; artifacts: Artifacts };

export type InferenceResponse =
  | { requestId: number; ok: true; output: InferenceOutput }
  | { requestId: number; ok: false; error: { code: ErrorCode; message: string } };

export type ThreadEvent =
  | { type: 'ready'; models: string[]; loadMs: number }
  | { type: 'init-failed'; message: string }
  | ({ type: 'response' } & InferenceResponse);
