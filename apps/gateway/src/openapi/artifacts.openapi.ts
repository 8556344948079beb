import type { ParameterObject } from 'openapi3-ts/oas31';
import type { RouteDoc } from './openapi.components';
import * as errors from './openapi.errors';
import { nativeRoute } from './openapi.native';
import { param, header } from './openapi.components';

/** A file a completed job produced, served at `/v1/jobs/{id}/…`: every one answers alike. */
function artifactRoute(doc: {
  path: string;
  tag: 'images' | 'videos';
  operationId: string;
  summary: string;
  description: string;
  mediaType: 'image/png' | 'image/jpeg' | 'video/mp4';
  index?: ParameterObject;
}): RouteDoc {
  return nativeRoute({
    method: 'get',
    path: doc.path,
    tags: [doc.tag],
    operationId: doc.operationId,
    summary: doc.summary,
    description: doc.description,
    parameters: [param.JobId, ...(doc.index ? [doc.index] : []), param.RequestId],
    responses: {
      200: {
        description: doc.mediaType === 'image/png' ? 'The PNG.' : 'The file.',
        headers: { 'X-Request-Id': header.XRequestId, 'Cache-Control': header.CacheControl },
        content: { [doc.mediaType]: { schema: { type: 'string', contentMediaType: doc.mediaType } } },
      },
      404: errors.ImageNotFound,
      409: errors.JobNotReady,
    },
  });
}

/** The documentation of the images, videos routes (see openapi.document.ts). */
export const ARTIFACTS_ROUTES: RouteDoc[] = [
  artifactRoute({
    path: '/v1/jobs/{id}/overlay.png',
    tag: 'images',
    operationId: 'getJobOverlay',
    summary: 'The parse overlay: the photo with part colours blended in at `alpha`',
    description: 'RGB PNG at the original size.',
    mediaType: 'image/png',
  }),
  artifactRoute({
    path: '/v1/jobs/{id}/labels.png',
    tag: 'images',
    operationId: 'getJobLabels',
    summary: 'The parse label map',
    description:
      '8-bit palette PNG at the original size: pixel value = LIP part id (0 = Background); the palette holds the `legend` colours.',
    mediaType: 'image/png',
  }),
  artifactRoute({
    path: '/v1/jobs/{id}/persons/{n}/mask.png',
    tag: 'images',
    operationId: 'getJobPersonMask',
    summary: "One person's mask",
    description:
      "8-bit greyscale PNG at the original size: 255 = the person's pixels, 0 elsewhere. `n` is the 0-based index in `persons` (person `id` − 1), as in `links.masks`.",
    mediaType: 'image/png',
    index: param.PersonIndex,
  }),
  artifactRoute({
    path: '/v1/jobs/{id}/instances/{n}/mask.png',
    tag: 'images',
    operationId: 'getJobInstanceMask',
    summary: "One segmented instance's mask",
    description:
      "8-bit greyscale PNG at the original size: 255 = the instance's pixels, 0 elsewhere, drawn from `result.instances[n].mask`. 404 for jobs of other tasks.",
    mediaType: 'image/png',
    index: param.InstanceIndex,
  }),
  artifactRoute({
    path: '/v1/jobs/{id}/annotated.mp4',
    tag: 'videos',
    operationId: 'getJobAnnotatedVideo',
    summary: 'Video jobs: the annotated MP4',
    description:
      "The sampled frames at the sampling rate with boxes labelled `label #trackId` (parse: over each person's mask tinted in the track's colour), H.264 (libx264, or MPEG-4 part 2 when ffmpeg lacks it).",
    mediaType: 'video/mp4',
  }),
  artifactRoute({
    path: '/v1/jobs/{id}/contact-sheet.jpg',
    tag: 'videos',
    operationId: 'getJobContactSheet',
    summary: 'Video jobs: a contact sheet',
    description: 'Up to 12 evenly spaced annotated frames in a grid of 4 columns, 320 px wide each, JPEG.',
    mediaType: 'image/jpeg',
  }),
];
