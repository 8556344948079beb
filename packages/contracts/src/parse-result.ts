import { z } from 'zod';
import {
  BoxSchema,
  ImageSizeSchema,
  ModelRefSchema,
  RenderedSizeSchema,
  RleMaskSchema,
  ms,
  workerTimings,
} from './results';

export const PARSE_MODES = ['crops', 'whole'] as const;

export const ParsePartSchema = z
  .strictObject({
    label: z.string().meta({ description: 'LIP label name (see `legend`).', examples: ['Face'] }),
    pixels: z
      .number()
      .int()
      .min(1)
      .meta({ description: 'Pixels of this part owned by the person, at original resolution.' }),
    box: BoxSchema.meta({
      description: 'Bounding box of those pixels, pixel-edge coordinates (x2, y2 exclusive).',
    }),
  })
  .meta({ id: 'ParsePart' });
export type ParsePart = z.infer<typeof ParsePartSchema>;

export const ParseKeypointSchema = z
  .strictObject({
    name: z.string().meta({ description: 'COCO keypoint name, e.g. `leftShoulder`.' }),
    x: z.number().meta({ description: 'Original-image pixels.' }),
    y: z.number().meta({ description: 'Original-image pixels.' }),
    score: z
      .number()
      .min(0)
      .max(1)
      .meta({ description: 'Sigmoid of the keypoint heatmap at the chosen cell.' }),
  })
  .meta({ id: 'ParseKeypoint' });
export type ParseKeypoint = z.infer<typeof ParseKeypointSchema>;

export const ParsePersonSchema = z
  .strictObject({
    id: z.number().int().min(1).meta({
      description:
        "1-based; the same number is this person's value in masks, and its mask is `/v1/jobs/{id}/persons/{id − 1}/mask.png`.",
    }),
    box: BoxSchema.meta({
      description:
        "`crops` mode: the detector's person box; `whole` mode: the bounds of the person's pixels.",
    }),
    score: z.number().min(0).max(1).meta({
      description: '`crops` mode: detector confidence; `whole` mode: mean person probability of the region.',
    }),
    parts: z.array(ParsePartSchema).meta({ description: 'Parts present, in LIP id order.' }),
    mask: RleMaskSchema.meta({
      description: 'All pixels owned by the person (any part). No pixel belongs to two people.',
    }),
    keypoints: z.array(ParseKeypointSchema).length(17).optional().meta({
      description:
        "The person's pose: the 17 COCO keypoints in COCO order (nose, leftEye, …, rightAnkle), original-image pixels. Parse models without a pose head (SCHP-style) leave it out.",
    }),
  })
  .meta({ id: 'ParsePerson' });
export type ParsePerson = z.infer<typeof ParsePersonSchema>;

export const ParseLegendEntrySchema = z
  .strictObject({
    id: z.number().int().min(0).max(19).meta({ description: 'LIP id: the pixel value in `labels.png`.' }),
    label: z.string(),
    color: z
      .string()
      .regex(/^#[0-9a-f]{6}$/)
      .meta({ description: 'Colour in the overlay and in the palette of `labels.png`.' }),
  })
  .meta({ id: 'ParseLegendEntry' });
export type ParseLegendEntry = z.infer<typeof ParseLegendEntrySchema>;

/**
 * Where a parse's time went, in ms. `inferMs` counts each parser and segmenter run once,
 * however many of the image's crops it held; `batchSize` is the inputs in the largest parser
 * run that held one of the image's crops (0 when the parser did not run); `detectBatchSize`
 * the images in the detector run (0 in `whole` mode).
 */
export const ParseTimingsSchema = z
  .strictObject({
    decodeMs: ms("Decoding the upload (and the detector's letterboxed copy)."),
    preMs: ms("Cutting and normalising the networks' inputs."),
    detectMs: ms('Person detection (`crops` mode): the detector run and its boxes.'),
    inferMs: ms('Parse (and segmenter) model runs.'),
    postMs: ms('Decoding logits, assigning pixels, RLE and PNGs.'),
    batchWaitMs: ms("Time the image's inputs waited for their runs to start."),
    batchSize: z
      .number()
      .int()
      .min(0)
      .meta({ description: 'Crops in the largest parse-model run that served this job.' }),
    detectBatchSize: z
      .number()
      .int()
      .min(0)
      .meta({ description: 'Images in the person-detector run that served this job (0 in `whole` mode).' }),
    ...workerTimings,
  })
  .meta({ id: 'ParseTimings' });
export type ParseTimings = z.infer<typeof ParseTimingsSchema>;

export const ParseResultSchema = z
  .strictObject({
    persons: z.array(ParsePersonSchema),
    numPersons: z.number().int().min(0),
    partsDetected: z.array(z.string()).meta({
      description: 'LIP labels present anywhere in the image (Background excluded), in id order.',
    }),
    legend: z
      .array(ParseLegendEntrySchema)
      .meta({ description: 'Background plus every label present, in id order.' }),
    image: ImageSizeSchema,
    model: ModelRefSchema,
    mode: z.enum(PARSE_MODES).meta({ description: 'Which pipeline ran (see the `mode` option).' }),
    personModel: ModelRefSchema.meta({ description: 'The person detector used in `crops` mode.' }).optional(),
    timings: ParseTimingsSchema,
    /** Present when overlay.png was drawn smaller than the image. */
    overlay: RenderedSizeSchema.optional(),
  })
  .meta({ id: 'ParseResult' });
export type ParseResult = z.infer<typeof ParseResultSchema>;
