import { Worker } from 'bullmq';
import { WEBHOOK_QUEUE, bullPrefix, type Redis } from '@argus/queue';
import type { WebhookJobData } from '@argus/contracts';
import { retryDelayMs } from '@argus/webhooks';
import { RetryableDeliveryError, deliveryProcessor, type DeliveryDeps } from './delivery.processor';

export function startDeliveryWorker(
  connection: Redis,
  deps: DeliveryDeps,
  opts: { prefix: string; concurrency: number; backoffMs: number },
): Worker<WebhookJobData> {
  const worker = new Worker<WebhookJobData>(WEBHOOK_QUEUE, (job) => deliveryProcessor(job, deps), {
    connection,
    prefix: bullPrefix(opts.prefix, WEBHOOK_QUEUE),
    concurrency: opts.concurrency,
    settings: {
      backoffStrategy: (attemptsMade, _type, err) =>
        retryDelayMs(
          attemptsMade,
          opts.backoffMs,
          err instanceof RetryableDeliveryError ? err.retryAfterMs : undefined,
        ),
    },
  });
  worker.on('error', (err) => deps.log.warn('webhook worker error', { err: err.message }));
  return worker;
}
