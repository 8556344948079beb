import { z } from 'zod';
import { ErrorDetailSchema } from './errors';
import { TaskSchema } from './job-catalog';

/* The probes' answers (`GET /readyz`): the gateway sends them, the client and WebUI read them. */

export const ModelStateSchema = z
  .strictObject({
    id: z.string(),
    task: TaskSchema,
    default: z.boolean(),
    status: z.enum(['ready', 'missing', 'not_loaded']),
    reason: z.string().optional(),
  })
  .meta({
    id: 'ModelState',
    description:
      'One model of the manifest: `ready` (a live worker loaded it), `missing` (this server could not install it; `reason` says why, and a job naming it fails with 400 `model_unavailable`) or `not_loaded` (installed, no live worker has it loaded).',
  });
export type ModelState = z.infer<typeof ModelStateSchema>;

export const ReadySchema = z
  .strictObject({
    status: z.literal('ready'),
    redis: z.literal('ok'),
    workers: z.number().int().min(1).meta({ description: 'Workers with a recent heartbeat.' }),
    tasks: z.array(TaskSchema).meta({ description: 'Tasks served by live workers.' }),
    models: z.array(z.string()).meta({ description: 'Model ids loaded by live workers.' }),
    modelStatus: z
      .array(ModelStateSchema)
      .meta({ description: 'Per-model readiness, in manifest order.' })
      .optional(),
  })
  .meta({ id: 'Ready' });
export type Ready = z.infer<typeof ReadySchema>;

export const NotReadySchema = z
  .strictObject({
    status: z.literal('not_ready'),
    redis: z.enum(['ok', 'down']),
    workers: z.literal(0),
    error: ErrorDetailSchema,
    modelStatus: z
      .array(ModelStateSchema)
      .meta({ description: 'Per-model readiness, in manifest order.' })
      .optional(),
  })
  .meta({ id: 'NotReady' });
export type NotReady = z.infer<typeof NotReadySchema>;
