import type { DetectOptions, DetectResult, ErrorCode } from '@argus/contracts';

/** Messages between the worker's main thread and its inference thread. */
export interface InferenceThreadInit {
  modelsDir: string;
  manifestPath: string;
  modelIds: string[];
  intraOpThreads: number;
  maxPixels: number;
}

export type InferenceRequest = {
  requestId: number;
  kind: 'detect';
  modelId: string;
  /** The upload bytes; the buffer is transferred, not copied. */
  image: Uint8Array;
  options: DetectOptions;
};

export type InferenceResponse =
  | { requestId: number; ok: true; result: DetectResult }
  | { requestId: number; ok: false; error: { code: ErrorCode; message: string } };

export type ThreadEvent =
  | { type: 'ready'; models: string[]; loadMs: number }
  | { type: 'init-failed'; message: string }
  | ({ type: 'response' } & InferenceResponse);
