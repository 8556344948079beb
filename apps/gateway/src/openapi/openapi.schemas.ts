import { z } from 'zod';
import {
  DetectResultSchema,
  ErrorDetailSchema,
  ParseResultSchema,
  StreamViewSchema,
  TaskSchema,
} from '@argus/contracts';

/*
 * The bodies only the gateway speaks besides the compat ones (probes, OIP, deliveries,
 * webhooks), as zod schemas: the OpenAPI document is generated from them and the API tests
 * validate real answers with them. Results, jobs and errors come from @argus/contracts.
 */

export const OipLiveSchema = z
  .strictObject({
    live: z.literal(true),
  })
  .meta({ id: 'OipLive' });
export type OipLive = z.infer<typeof OipLiveSchema>;

export const OipReadySchema = z
  .strictObject({
    ready: z.literal(true),
  })
  .meta({ id: 'OipReady' });
export type OipReady = z.infer<typeof OipReadySchema>;

export const OipNotReadySchema = z
  .strictObject({
    ready: z.literal(false),
    error: ErrorDetailSchema,
  })
  .meta({ id: 'OipNotReady' });
export type OipNotReady = z.infer<typeof OipNotReadySchema>;

export const OipTensorSchema = z
  .strictObject({
    name: z.string(),
    datatype: z.literal('FP32'),
    shape: z.array(z.number().int().min(-1)).meta({ description: '-1 marks a dynamic dimension.' }),
  })
  .meta({ id: 'OipTensor' });
export type OipTensor = z.infer<typeof OipTensorSchema>;

export const OipModelMetadataSchema = z
  .strictObject({
    name: z.string().meta({ examples: ['yolov8n-seg'] }),
    versions: z.array(z.string()),
    platform: z.literal('onnxruntime_onnx'),
    inputs: z.array(OipTensorSchema),
    outputs: z.array(OipTensorSchema),
  })
  .meta({
    id: 'OipModelMetadata',
    description:
      "Open Inference Protocol model metadata. Output shapes follow from the model's decoder format and label count.",
  });
export type OipModelMetadata = z.infer<typeof OipModelMetadataSchema>;

export const OipModelReadySchema = z
  .strictObject({
    name: z.string(),
    ready: z.literal(true),
    workers: z.number().int().min(1).meta({ description: 'Live workers with the model loaded.' }),
  })
  .meta({ id: 'OipModelReady' });
export type OipModelReady = z.infer<typeof OipModelReadySchema>;

export const OipModelNotReadySchema = z
  .strictObject({
    name: z.string(),
    ready: z.literal(false),
    error: ErrorDetailSchema,
  })
  .meta({ id: 'OipModelNotReady' });
export type OipModelNotReady = z.infer<typeof OipModelNotReadySchema>;

export const HealthSchema = z
  .strictObject({
    status: z.literal('ok'),
    uptimeSeconds: z.number().int().min(0),
  })
  .meta({ id: 'Health' });
export type Health = z.infer<typeof HealthSchema>;

export const DeliveryAttemptSchema = z
  .strictObject({
    attempt: z.number().int().min(1),
    at: z.string().meta({ format: 'date-time' }),
    statusCode: z
      .number()
      .int()
      .nullable()
      .meta({ description: "The receiver's HTTP status; `null` when it did not answer." }),
    durationMs: z.number().min(0),
    error: z
      .string()
      .nullable()
      .meta({ description: 'Connection error, timeout or address-policy refusal.' }),
    response: z
      .string()
      .nullable()
      .meta({ description: "The start of the receiver's answer (at most 200 characters)." }),
    outcome: z.enum(['delivered', 'retry', 'gone', 'rejected', 'dead']).meta({
      description:
        '`retry`: will be retried; `gone`: 410, stopped; `rejected`: other 4xx or a redirect, stopped; `dead`: the last attempt failed (a dead letter).',
    }),
  })
  .meta({ id: 'DeliveryAttempt' });
export type DeliveryAttempt = z.infer<typeof DeliveryAttemptSchema>;

export const DeliverySchema = z
  .strictObject({
    deliveryId: z
      .string()
      .regex(/^dlv_[0-9a-f]{24}$/)
      .meta({ description: 'Sent as X-Argus-Delivery; the same on every retry.' }),
    event: z.enum(['completed', 'failed', 'canceled']),
    url: z.string(),
    createdAt: z.string().meta({ format: 'date-time' }),
    redelivery: z.boolean(),
    status: z.enum(['pending', 'retrying', 'delivered', 'failed']),
    attempts: z.array(DeliveryAttemptSchema),
  })
  .meta({ id: 'Delivery' });
export type Delivery = z.infer<typeof DeliverySchema>;

export const DeliveryListSchema = z
  .strictObject({
    jobId: z.string(),
    deliveries: z.array(DeliverySchema),
    dropped: z
      .strictObject({
        deliveries: z.number().int().min(0),
        attempts: z.number().int().min(0),
      })
      .meta({
        description:
          'How many deliveries and attempts the capped logs (WEBHOOK_LOG_MAX_ENTRIES each, newest kept) no longer hold.',
      }),
    nextCursor: z
      .string()
      .meta({ description: 'Pass as `cursor` for the next page; absent on the last page.' })
      .optional(),
  })
  .meta({ id: 'DeliveryList' });
export type DeliveryList = z.infer<typeof DeliveryListSchema>;

/** A live stream's track webhook deliveries: the job list's shape, listed under the stream. */
export const StreamDeliveryListSchema = DeliveryListSchema.omit({ jobId: true })
  .extend({ streamId: z.string() })
  .meta({ id: 'StreamDeliveryList' });

export const RedeliverySchema = z
  .strictObject({
    jobId: z.string(),
    event: z.enum(['completed', 'failed', 'canceled']),
    deliveryIds: z.array(z.string()),
  })
  .meta({ id: 'Redelivery' });
export type Redelivery = z.infer<typeof RedeliverySchema>;

export const WebhookPayloadSchema = z
  .looseObject({
    event: z.enum(['completed', 'failed', 'canceled']),
    deliveryId: z.string(),
    job: z.looseObject({
      id: z.string(),
      task: TaskSchema,
      status: z.enum(['completed', 'failed', 'canceled']),
      md5: z.string(),
      result: z.union([DetectResultSchema, ParseResultSchema]).optional(),
      error: ErrorDetailSchema.optional(),
      createdAt: z.string().meta({ format: 'date-time' }),
      finishedAt: z.string().meta({ format: 'date-time' }),
    }),
  })
  .meta({ id: 'WebhookPayload' });
export type WebhookPayload = z.infer<typeof WebhookPayloadSchema>;

export const StreamListSchema = z
  .strictObject({
    streams: z.array(StreamViewSchema),
  })
  .meta({ id: 'StreamList' });
export type StreamList = z.infer<typeof StreamListSchema>;
