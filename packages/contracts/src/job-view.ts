import { z } from 'zod';
import { ErrorDetailSchema } from './errors';
import { TaskSchema } from './job-catalog';
import { DetectResultSchema, JobStatusSchema, SegmentResultSchema } from './results';
import { ParseResultSchema } from './parse-result';
import { VideoResultSchema } from './video';

export const JobProgressSchema = z
  .strictObject({
    stage: z.string().meta({
      description:
        '`queued`, `decoding`, `inference`, `postprocess`, `rendering` (video), `done`, or `canceled`.',
      examples: ['inference'],
    }),
    percent: z.number().min(0).max(100),
    /** Video jobs: sampled frames processed so far, and in all. */
    framesDone: z
      .number()
      .int()
      .min(0)
      .optional()
      .meta({ description: 'Video jobs: sampled frames processed so far.' }),
    framesTotal: z
      .number()
      .int()
      .min(0)
      .optional()
      .meta({ description: 'Video jobs: sampled frames in all (from ffprobe).' }),
  })
  .meta({ id: 'JobProgress' });
export type JobProgress = z.infer<typeof JobProgressSchema>;

const msCount = (description: string) => z.number().int().min(0).optional().meta({ description });

export const JobTimingsSchema = z
  .strictObject({
    queuedMs: msCount('From submission to a worker picking the job up.'),
    processingMs: msCount('From pick-up to completion or failure.'),
    totalMs: msCount('From submission to completion or failure.'),
    attempts: msCount('Attempts made so far (up to 3; bad input fails at once).'),
  })
  .meta({
    id: 'JobTimings',
    description: 'Milliseconds; each appears once known. Cache hits report zeros and no `attempts`.',
  });
export type JobTimings = z.infer<typeof JobTimingsSchema>;

export const JobLinksSchema = z
  .strictObject({
    self: z.string().meta({ examples: ['/v1/jobs/2f1c1d52-8d7e-4a53-9d5e-0c7f4f1e2a10'] }),
    overlay: z.string().optional().meta({
      description:
        'parse: the photo with part colours blended in; segment: coloured instance masks with labelled boxes; detect (with `overlay=true`): the photo with labelled boxes.',
    }),
    labels: z
      .string()
      .optional()
      .meta({ description: 'parse: palette PNG whose pixel values are LIP part ids.' }),
    masks: z.array(z.string()).optional().meta({
      description:
        'One binary mask PNG per person (parse, in `persons` order) or per instance (segment, in `instances` order).',
    }),
    video: z
      .string()
      .optional()
      .meta({ description: 'Video jobs: the annotated MP4 (boxes labelled with track ids).' }),
    contactSheet: z
      .string()
      .optional()
      .meta({ description: 'Video jobs: a JPEG grid of up to 12 evenly spaced annotated frames.' }),
  })
  .meta({
    id: 'JobLinks',
    description:
      'Relative URLs. Image links appear once the job has completed: for parse jobs always, for segment jobs (overlay unless submitted with `overlay=false`; masks always), for detect jobs when submitted with `overlay=true`.',
  });
export type JobLinks = z.infer<typeof JobLinksSchema>;

/** Any task's result: which one follows from the job's `task` and media. */
export const JobResultSchema = z
  .union([DetectResultSchema, ParseResultSchema, SegmentResultSchema, VideoResultSchema])
  .meta({
    description:
      '`DetectResult` for `task: detect`, `ParseResult` for `task: parse`, `SegmentResult` for `task: segment` (on an image); `VideoResult` for detect or parse on a video.',
  });
export type JobResult = z.infer<typeof JobResultSchema>;

/** What `POST /v1/jobs` and `GET /v1/jobs/:id` answer. */
export const JobViewSchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^[0-9a-f-]{36}$/)
      .meta({
        format: 'uuid',
        description: 'Job id (UUID). A cache hit gets an id of its own that can be read back.',
      }),
    task: TaskSchema,
    status: JobStatusSchema,
    progress: JobProgressSchema,
    cached: z.boolean().meta({
      description:
        'The answer came from the result cache (same bytes, model and result-changing options); no job ran.',
    }),
    md5: z
      .string()
      .regex(/^[0-9a-f]{32}$/)
      .meta({ description: 'MD5 of the uploaded bytes.' }),
    model: z.string().meta({ description: 'The resolved model id.' }),
    result: JobResultSchema.optional(),
    error: ErrorDetailSchema.optional(),
    createdAt: z.string().meta({ format: 'date-time' }),
    finishedAt: z
      .string()
      .nullable()
      .meta({ format: 'date-time', description: '`null` until the job completes, fails or is canceled.' }),
    timings: JobTimingsSchema,
    links: JobLinksSchema,
    /** DELETE on a running job: it stops at its next stage boundary. */
    cancelRequested: z.boolean().optional().meta({
      description: 'Set on the answer to DELETE for a running job: it stops at its next stage boundary.',
    }),
  })
  .meta({
    id: 'JobView',
    description:
      'A job as `POST /v1/jobs` and `GET /v1/jobs/{id}` answer it. `result` is present once `status` is `completed`; `error` when `failed`, and also on a `completed` job whose stored result has expired (`result_expired`, no `result`).',
  });
export type JobView = z.infer<typeof JobViewSchema>;
