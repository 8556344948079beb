import type { ParseOptions, ParseResult } from '@argus/contracts';
import type {
  BoxCorners,
  FusionRules,
  Keypoint,
  ParseLogits,
  PersonCanvas,
  PixelBounds,
  Region,
  RgbImage,
  Size,
} from '@argus/vision';
import type { DetectModel, DetectModelInfo, DetectRunner, NetworkRun } from '../detect.pipeline';
import type { ParseModel } from '../parse.model';

/**
 * The types every stage of the parse pipeline shares: prepare crops (`crops.prepare.ts`) →
 * run each network (`networks.run.ts`) → decode and fuse labels (`labels.fuse.ts`) → assign
 * pixels to people (`image.parse.ts`) → assemble the JSON result (`result.assemble.ts`) →
 * render the PNGs (`artifacts.render.ts`).
 */

/**
 * What `parseImage` needs: the part network (BodyPix or an SCHP-style parser), for a fused
 * model the skin / clothes / hair segmenter, and for `crops` mode a person detector.
 */
export interface ParseModels {
  parts: ParseModel;
  /** `sch-fusion` models: the segmenter (its entry is the fused model the result names). */
  clothes?: ParseModel;
  persons?: DetectModel;
}

/** What pre- and postprocessing need of the models (no sessions): the runners reach those. */
export interface ParseModelInfos {
  parts: ParseModelInfo;
  clothes?: ParseModelInfo;
  persons?: DetectModelInfo;
}

export type ParseModelInfo = Omit<ParseModel, 'session'>;

/** Internal knobs with fixed defaults (the evaluation script varies them; the API does not). */
export interface ParseTuning {
  /** Long side of the whole-image input for `stride` models. Default: the manifest's width (513). */
  wholeMaxSide: number;
  /** Long side of a person crop's input for `stride` models when many people share the image. Default 385. */
  cropMaxSide: number;
  /**
   * Long side for a lone person's crop; with n people each crop gets this / √n, never below
   * `cropMaxSide` (`personCropSide`). Default 545: BodyPix's stride-16 outline is coarse, and a
   * lone person seen larger is outlined much more tightly (641 scores a little higher still,
   * but makes a two-person photo's parse too slow; docs/parse.md).
   */
  cropSoloSide: number;
  /** Context added around a person box on each side, as a fraction of its size. Default 0.15. */
  cropMargin: number;
  /** How far outside its box (fraction of the box size) a crop may still claim pixels. Default 0.04. */
  boxSlack: number;
  /** `whole` mode: smallest person region kept, as a fraction of the image. Default 0.001. */
  minRegionFraction: number;
  /** NMS IoU among person boxes. Default 0.5. */
  personIou: number;
  /** `crops` mode: a person's pieces smaller than this fraction of their largest piece are dropped. Default 0.02. */
  minPieceFraction: number;
  /**
   * Fused models: run the segmenter once per person crop (`crop`), once on the whole image
   * and reuse it for every person (`image`), or per crop for up to `clothesCrops` people and
   * once per image beyond (`auto`, the default: crops see more, but each costs a full 512×512
   * run and the file's batch is fixed at 1). Measured in docs/parse.md.
   */
  clothesScope: 'crop' | 'image' | 'auto';
  /** `auto` scope: the most people whose crops each get their own segmenter run. Default 4. */
  clothesCrops: number;
  /** Fused models: segmenter probability a class needs to count. Default 0.5. */
  clothesThreshold: number;
  /** Fused models, per-crop runs: the crop squashed to the segmenter's square input (`squash`, default) or padded to it (`pad`). */
  clothesFit: 'pad' | 'squash';
  /** Fused models: the rule knobs (see `FusionRules`). */
  fusion: FusionRules;
}

export type ParseRunOptions = Pick<ParseOptions, 'threshold' | 'mode' | 'personConfidence' | 'maxPersons'> &
  Partial<ParseTuning>;

/** One network input: a region of the image, the input size it is resampled to, the pixels it decodes. */
export interface ParseJob {
  region: Region;
  input: Size;
  /** Image pixels this job's labels cover (inside the image). */
  rect: PixelBounds;
  /** `crops` mode: the person this crop is for. */
  person?: { box: BoxCorners; score: number };
}

/** BodyPix's pose outputs for one input (see `PoseGrid`). */
export interface PoseOutput {
  heatmaps: Float32Array;
  offsets: Float32Array;
}

export interface ParseNetOutput {
  logits: ParseLogits;
  gridWidth: number;
  gridHeight: number;
  /** BodyPix models whose entry names `heatmaps` and `offsets`. */
  pose?: PoseOutput;
}

/** The segmenter's output for one input: skin, clothes and hair probability planes. */
export interface ClothesNetOutput {
  probs: Float32Array;
  gridWidth: number;
  gridHeight: number;
}

/** A run's output as plain data (onnxruntime tensors and thread messages both fit). */
export interface OutputData {
  data: unknown;
  dims: readonly number[];
}

/** How a parse reaches its networks (see `DetectRunner`). */
export interface ParseRunners {
  /** The person detector (`crops` mode). */
  detect?: DetectRunner;
  /** The parse network: every input of one image (any input sizes) → its output, in order. */
  parts(inputs: readonly { input: Float32Array; size: Size }[]): Promise<NetworkRun<ParseNetOutput>[]>;
  /** Fused models: the segmenter, one input at a time (its batch is fixed at 1). */
  clothes?(inputs: readonly Float32Array[]): Promise<NetworkRun<ClothesNetOutput>[]>;
}

/** A person as the pipeline found them, before the JSON result is built. */
export interface ParsedPerson {
  /** Owner value in `canvas.owner`. */
  id: number;
  box: BoxCorners;
  score: number;
  keypoints?: Keypoint[];
}

export interface ParsedImage {
  image: RgbImage;
  /** LIP labels and person owners at original resolution. */
  canvas: PersonCanvas;
  persons: ParsedPerson[];
  mode: 'crops' | 'whole';
  /** The batching fields are optional so a ParsedImage can be built by hand (tests). */
  timings: Pick<ParseTimings, 'decodeMs' | 'detectMs' | 'inferMs' | 'postMs'> & Partial<ParseTimings>;
}

/**
 * Where a parse's time went, in ms. `decodeMs`: decoding the upload (and the detector's
 * letterboxed copy); `preMs`: cutting and normalising the networks' inputs; `detectMs`: the
 * detector run and its boxes; `inferMs`: the parser and segmenter runs (each counted once,
 * however many of the image's crops it held); `batchWaitMs`: time the image's inputs waited
 * for their runs to start (detector plus the longest crop wait); `batchSize`: inputs in the
 * largest parser run that held one of the image's crops (0 when the parser did not run);
 * `detectBatchSize`: images in the detector run (0 in `whole` mode).
 */
export interface ParseTimings {
  decodeMs: number;
  preMs: number;
  detectMs: number;
  inferMs: number;
  postMs: number;
  batchWaitMs: number;
  batchSize: number;
  detectBatchSize: number;
}

/** A parse result with every timing (`ParseResult` names the four it always had). */
export type TimedParseResult = ParseResult & { timings: ParseTimings };

export interface ParseArtifacts {
  /** The photo with part colours blended in at `alpha` (and the pose skeleton when asked), original size. */
  overlayPng: Buffer;
  /** 8-bit palette PNG, original size: pixel value = LIP id (0 = background). */
  labelsPng: Buffer;
  /** One 8-bit PNG per person (255 = the person's pixels), in `persons` order. */
  personMaskPngs: Buffer[];
}

export interface ParseOutput {
  result: TimedParseResult;
  artifacts: ParseArtifacts;
}
