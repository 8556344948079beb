import { z } from 'zod';
import {
  DetectOptionsSchema,
  ParseOptionsSchema,
  SegmentOptionsSchema,
  SubmissionSchema,
  TaskSchema,
  VideoOptionsSchema,
} from '@argus/contracts';

/* The upload forms, built from the job catalog's option schemas so limits and defaults are the contracts' own. */

/** The image file part, as every upload route takes it. */
const imageField = (description: string) =>
  z.string().meta({ format: 'binary', contentMediaType: 'application/octet-stream', description });
const IMAGE =
  'The image, as the file part named `image`. JPEG, PNG or WebP, recognised by its bytes (the file name and part Content-Type are ignored); EXIF orientation is applied. At most MAX_UPLOAD_BYTES (default 10 MiB) and MAX_PIXELS (default 40 MP). Exactly one file.';

/**
 * `POST /v1/jobs`: the image, the task and every option of the job catalog (each task reads
 * its own), the submission fields and the video sampling fields, straight from the contracts.
 */
export const JobSubmissionSchema = z
  .object({
    image: imageField(
      `${IMAGE} \`POST /v1/jobs\` also takes a video for \`task=detect\` or \`task=parse\`: MP4, MOV, WebM or MKV, recognised by its bytes, at most MAX_VIDEO_BYTES (default 200 MiB).`,
    ),
    task: TaskSchema,
    ...SegmentOptionsSchema.shape,
    ...ParseOptionsSchema.shape,
    ...DetectOptionsSchema.shape,
    ...SubmissionSchema.shape,
    ...VideoOptionsSchema.shape,
  })
  .meta({
    id: 'JobSubmission',
    description:
      'Form fields of `POST /v1/jobs`. Numbers are sent as text and coerced. Empty fields count as absent (defaults apply). Options of the other tasks are ignored. Options that change the result are part of the result-cache key.',
  });

export const SeedDetectFormSchema = z
  .object({
    file: imageField('The image, as the file part named `file` (as the original Flask service took it).'),
    ...DetectOptionsSchema.pick({ confidence: true, iou: true, model: true }).shape,
  })
  .meta({ id: 'SeedDetectForm', description: 'Form of the original Flask service.' });

export const SeedParseFormSchema = z
  .object({
    image: imageField(IMAGE),
    ...ParseOptionsSchema.pick({ model: true, threshold: true, alpha: true, mode: true }).shape,
  })
  .meta({
    id: 'SeedParseForm',
    description:
      'Form of the original M2FP service. `personConfidence` and `maxPersons` are not read (defaults apply).',
  });

const minConfidence = z.coerce
  .number()
  .min(0)
  .max(1)
  .default(0.4)
  .meta({ description: 'Minimum confidence kept.' });

export const DeepStackDetectionFormSchema = z
  .object({
    image: imageField(IMAGE),
    min_confidence: minConfidence,
    model: DetectOptionsSchema.shape.model,
    api_key: z.string().optional().meta({
      description:
        'The API key, as DeepStack clients (Frigate) send it, when there is no Authorization header. A wrong key answers 401 `{success: false, error}`; the same rate limit and quota apply as to a Bearer key.',
    }),
  })
  .meta({
    id: 'DeepStackDetectionForm',
    description:
      'DeepStack / CodeProject.AI form (Frigate, Home Assistant). Other DeepStack fields are ignored.',
  });

export const DeepStackCustomFormSchema = z
  .object({ image: imageField(IMAGE), min_confidence: minConfidence })
  .meta({
    id: 'DeepStackCustomForm',
    description:
      "DeepStack / CodeProject.AI custom-model form, as Frigate's DeepStack detector and Blue Iris send it. Other fields (`api_key`, …) are ignored here; see the API-key notes.",
  });
