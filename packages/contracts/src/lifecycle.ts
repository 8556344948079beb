import { z } from 'zod';
import type { ErrorCode } from './errors';
import { TaskSchema } from './job-catalog';

/** Events a callback can ask for. */
export const WEBHOOK_EVENTS = ['completed', 'failed', 'canceled'] as const;
export const WebhookEventSchema = z.enum(WEBHOOK_EVENTS);
export type WebhookEvent = z.infer<typeof WebhookEventSchema>;

/** BullMQ priorities (lower runs first). Every job gets one so the order is total. */
export const PRIORITIES = { high: 1, normal: 2, low: 3 } as const;
export type Priority = keyof typeof PRIORITIES;

/**
 * Submission fields common to every task, besides the image and the task's options.
 * `callbackUrl` is checked further (scheme, address policy) by the gateway.
 */
export const SubmissionSchema = z.object({
  /** Where Argus POSTs the job's outcome. */
  callbackUrl: z.string().min(1).max(2048).optional(),
  /** Comma-separated events to deliver. Default `completed,failed`. */
  callbackEvents: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const list = (v ?? 'completed,failed')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const bad = list.filter((e) => !WebhookEventSchema.safeParse(e).success);
      if (bad.length || list.length === 0) {
        ctx.addIssue({
          code: 'custom',
          message: `callbackEvents must be a list of ${WEBHOOK_EVENTS.join(', ')}`,
        });
        return z.NEVER;
      }
      return [...new Set(list)] as WebhookEvent[];
    }),
  /** `high`, `normal` (default) or `low`. */
  priority: z.enum(['high', 'normal', 'low']).default('normal'),
});
export type Submission = z.infer<typeof SubmissionSchema>;

/** A callback registered on a job by one submission. */
export interface Callback {
  url: string;
  events: WebhookEvent[];
  /** The id the submitter was given (a cached or coalesced submission shares or differs). */
  submissionId: string;
}

/** What a webhook says about a job, fixed when the job ends. */
export interface JobSnapshot {
  id: string;
  task: z.infer<typeof TaskSchema>;
  event: WebhookEvent;
  status: 'completed' | 'failed' | 'canceled';
  md5: string;
  /** Completed jobs: where the result is (read when the delivery is sent). */
  resultKey?: string;
  error?: { code: ErrorCode; message: string };
  createdAt: string;
  finishedAt: string;
}

/** A delivery job on the webhooks queue. No result or image bytes: the body is built at send time. */
export interface DeliveryJobData {
  deliveryId: string;
  /** The job the delivery reports on (deliveries are listed under it). */
  jobId: string;
  url: string;
  snapshot: JobSnapshot;
  redelivery: boolean;
}
