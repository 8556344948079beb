import { Queue, type JobsOptions } from 'bullmq';
import { JOB_CATALOG, type WebhookJobData, type JobData, type JobReturn, type Task } from '@argus/contracts';
import type { RedisClient } from './redis-connection';

export type ArgusQueue = Queue<JobData, JobReturn, Task>;

export interface QueueSettings {
  prefix: string;
  /** How long finished jobs stay readable (seconds). */
  retentionSeconds: number;
}

/**
 * BullMQ's key prefix for one queue of a deployment: its keys are
 * `<prefix>:bull:{<queue>}:<queue>:…`. The hash tag `{<queue>}` puts all of a queue's keys
 * in one Redis Cluster slot, which BullMQ's multi-key Lua scripts need; on a single Redis
 * it is just part of the name. Every Queue, Worker and QueueEvents of a queue must use it.
 */
export function bullPrefix(prefix: string, queueName: string): string {
  return `${prefix}:bull:{${queueName}}`;
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

export function createQueue(task: Task, connection: RedisClient, settings: QueueSettings): ArgusQueue {
  const name = JOB_CATALOG[task].queueName;
  return new Queue<JobData, JobReturn, Task>(name, {
    connection,
    prefix: bullPrefix(settings.prefix, name),
    defaultJobOptions: jobOptionsFor(task, settings),
    skipWaitingForReady: true,
  });
}

/** The queue of webhook deliveries: its own queue, so slow receivers never slow inference. */
export const WEBHOOK_QUEUE = 'webhooks';
export type WebhookQueue = Queue<WebhookJobData, { statusCode?: number }, 'deliver'>;

export interface WebhookSettings {
  /** Attempts per delivery (first try included). */
  maxAttempts: number;
  /** How long a finished delivery stays in BullMQ (its attempts are also logged beside the job). */
  retentionSeconds: number;
}

export function createWebhookQueue(
  connection: RedisClient,
  settings: QueueSettings & WebhookSettings,
): WebhookQueue {
  return new Queue<WebhookJobData, { statusCode?: number }, 'deliver'>(WEBHOOK_QUEUE, {
    connection,
    prefix: bullPrefix(settings.prefix, WEBHOOK_QUEUE),
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
