/**
 * `@argus/client`: the Argus API for Node 20+ and browsers (fetch only, no dependencies).
 *
 * ```ts
 * import { ArgusClient } from '@argus/client';
 * const argus = new ArgusClient({ url: 'http://localhost:3000', apiKey: process.env.ARGUS_API_KEY });
 * const job = await argus.detect(await fs.readFile('bus.jpg'), { confidence: 0.4 });
 * console.log(job.result.detections);
 * ```
 */
export { ArgusClient } from './argus-client.js';
export type {
  ArgusClientOptions,
  ImageInput,
  SubmitRequestOptions,
  TaskOptions,
  WaitOptions,
} from './argus-client.js';
export { API_ERROR_CODES, ArgusError, errorFromAnswer, isApiErrorCode } from './api-error.js';
export type { ApiErrorCode, ArgusErrorCode } from './api-error.js';
export { readEventStream } from './sse-reader.js';
export type { ServerSentEvent } from './sse-reader.js';
export { freshWebhookSignature, verifyWebhookSignature, WEBHOOK_HEADERS } from './webhook-verify.js';
export type { VerifyOptions } from './webhook-verify.js';
export { isTerminal, TERMINAL_STATUSES } from './types.js';
export type * from './types.js';
