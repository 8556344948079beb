import { UnrecoverableError, type Job } from 'bullmq';
import type { DeliveryJobData, WebhookJobData } from '@argus/contracts';
import type { Logger } from '@argus/config';
import type { DeliveryAttempt, DeliveryLog, ResultCache } from '@argus/queue';
import {
  WEBHOOK_HEADERS,
  classifyDelivery,
  deliverWebhook,
  signWebhook,
  type CallbackPolicy,
} from '@argus/webhooks';

export interface DeliveryDeps {
  results: ResultCache;
  /** The job's capped delivery log (attempts are appended here). */
  deliveries: DeliveryLog;
  secret: string;
  policy: CallbackPolicy;
  timeoutMs: number;
  maxResponseBytes: number;
  log: Logger;
}

/** A retryable delivery failure; carries the receiver's Retry-After to the backoff strategy. */
export class RetryableDeliveryError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'RetryableDeliveryError';
  }
}

/** The JSON a receiver gets. Built when sent, from Redis, so job data never holds results. */
export async function deliveryBody(data: DeliveryJobData, results: ResultCache): Promise<string> {
  const { snapshot } = data;
  const job: Record<string, unknown> = {
    id: snapshot.id,
    task: snapshot.task,
    status: snapshot.status,
    md5: snapshot.md5,
  };
  if (snapshot.status === 'completed') {
    const result = snapshot.resultKey ? await results.get(snapshot.resultKey) : null;
    if (result === null)
      job.error = { code: 'result_expired', message: 'the result expired before this delivery' };
    else job.result = result;
  } else if (snapshot.error) {
    job.error = snapshot.error;
  }
  job.createdAt = snapshot.createdAt;
  job.finishedAt = snapshot.finishedAt;
  return JSON.stringify({ event: snapshot.event, deliveryId: data.deliveryId, job });
}

/** What to send and where to log it: a stream's track event carries its whole (small) body. */
async function deliveryOf(
  data: WebhookJobData,
  results: ResultCache,
): Promise<{ body: string; event: string; listedUnder: string; stream: boolean }> {
  if ('kind' in data)
    return {
      body: JSON.stringify(data.body),
      event: data.body.event,
      listedUnder: data.streamId,
      stream: true,
    };
  return {
    body: await deliveryBody(data, results),
    event: data.snapshot.event,
    listedUnder: data.jobId,
    stream: false,
  };
}

/**
 * Sends one delivery attempt and logs it beside the job. 2xx: done. 410: the receiver
 * asked us to stop. Other 4xx (but 408/429) and redirects: stop, retrying would not help.
 * 5xx, 408, 429, timeouts, connection errors: retry with backoff.
 */
export async function deliveryProcessor(
  job: Job<WebhookJobData>,
  deps: DeliveryDeps,
): Promise<{ statusCode?: number }> {
  const data = job.data;
  const { body, event, listedUnder, stream } = await deliveryOf(data, deps.results);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const result = await deliverWebhook({
    url: data.url,
    body,
    headers: {
      [WEBHOOK_HEADERS.event]: event,
      [WEBHOOK_HEADERS.delivery]: data.deliveryId,
      [WEBHOOK_HEADERS.timestamp]: timestamp,
      [WEBHOOK_HEADERS.signature]: signWebhook(deps.secret, timestamp, body),
      'User-Agent': 'Argus-Webhooks/1',
    },
    timeoutMs: deps.timeoutMs,
    maxResponseBytes: deps.maxResponseBytes,
    policy: deps.policy,
  });
  const outcome = classifyDelivery(result);
  const attempt = job.attemptsMade + 1;
  const lastAttempt = attempt >= (job.opts.attempts ?? 1);
  const entry: DeliveryAttempt = {
    deliveryId: data.deliveryId,
    event,
    attempt,
    at: new Date().toISOString(),
    statusCode: result.statusCode ?? null,
    durationMs: result.durationMs,
    error: result.error ?? null,
    response: result.responseSnippet ?? null,
    outcome: outcome === 'retry' && lastAttempt ? 'dead' : outcome,
  };
  await deps.deliveries.addAttempt(listedUnder, entry);
  const log = deps.log.child({
    deliveryId: data.deliveryId,
    ...(stream ? { stream: listedUnder } : { jobId: listedUnder }),
    attempt,
  });
  const what = result.statusCode !== undefined ? `HTTP ${result.statusCode}` : (result.error ?? 'no answer');
  switch (outcome) {
    case 'delivered':
      log.debug('webhook delivered', { statusCode: result.statusCode, durationMs: result.durationMs });
      return { statusCode: result.statusCode };
    case 'gone':
      throw new UnrecoverableError(`receiver answered 410 Gone (${what}); not retrying`);
    case 'rejected':
      throw new UnrecoverableError(`receiver refused the delivery (${what}); not retrying`);
    case 'retry':
      log.info('webhook attempt failed; will retry', { reason: what, lastAttempt });
      throw new RetryableDeliveryError(`delivery failed (${what})`, result.retryAfterMs);
  }
}
