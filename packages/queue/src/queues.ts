import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { JOB_CATALOG, type DeliveryJobData, type JobData, type JobReturn, type Task } from '@argus/contracts';

export type ArgusQueue = Queue<JobData, JobReturn, Task>;

export interface QueueSettings {
  prefix: string;
  /** How long finished jobs stay readable (seconds). */
  retentionSeconds: number;
}

/** BullMQ's key prefix for a deployment prefix: queues live under `<prefix>:bull:<queue>:…`. */
export function bullPrefix(prefix: string): string {
  return `${prefix}:bull`;
}

/**
 * Retry and retention policy per task, from the job catalog: transient failures retry with
 * exponential backoff; finished jobs are removed after the retention period so Redis does
 * not grow without bound.
 */
export function jobOptionsFor(task: Task, settings: QueueSettings): JobsOptions {
  const def = JOB_CATALOG[task];
  return {
    attempts: def.attempts,
    backoff: { type: 'exponential', delay: def.backoffMs },
    removeOnComplete: { age: settings.retentionSeconds },
    removeOnFail: { age: settings.retentionSeconds },
  };
}

export function createQueue(task: Task, connection: Redis, settings: QueueSettings): ArgusQueue {
  return new Queue<JobData, JobReturn, Task>(JOB_CATALOG[task].queueName, {
    connection,
    prefix: bullPrefix(settings.prefix),
    defaultJobOptions: jobOptionsFor(task, settings),
    skipWaitingForReady: true,
  });
}

/** The queue of webhook deliveries: its own queue, so slow receivers never slow inference. */
export const WEBHOOK_QUEUE = 'webhooks';
export type WebhookQueue = Queue<DeliveryJobData, { statusCode?: number }, 'deliver'>;

export interface WebhookSettings {
  /** Attempts per delivery (first try included). */
  maxAttempts: number;
  /** How long a finished delivery stays in BullMQ (its attempts are also logged beside the job). */
  retentionSeconds: number;
}

export function createWebhookQueue(connection: Redis, settings: QueueSettings & WebhookSettings): WebhookQueue {
  return new Queue<DeliveryJobData, { statusCode?: number }, 'deliver'>(WEBHOOK_QUEUE, {
    connection,
    prefix: bullPrefix(settings.prefix),
    defaultJobOptions: {
      attempts: settings.maxAttempts,
      // The worker's backoffStrategy adds jitter and honours Retry-After.
      backoff: { type: 'webhook' },
      removeOnComplete: { age: settings.retentionSeconds },
      removeOnFail: { age: settings.retentionSeconds },
    },
    skipWaitingForReady: true,
  });
}
