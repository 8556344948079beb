import type { Box, ParsePerson } from '@argus/contracts';
import {
  LIP20_LABELS,
  LIP20_PALETTE,
  encodeRle,
  hexColour,
  summarizePersons,
  type BoxCorners,
  type PixelBounds,
} from '@argus/vision';
import type { DetectModel } from '../detect.pipeline';
import type { ParseModel } from '../parse.model';
import type { ParsedImage, TimedParseResult } from './parse.types';

/** Stage 5 of the parse pipeline: the JSON result (small: masks as RLE, no pixel arrays). */

/**
 * The result names the model the client asked for: a fused model's own entry (`clothes`,
 * whose `fuse.parts` names the BodyPix it runs), else the part model.
 */
export function buildParseResult(
  parsed: ParsedImage,
  models: {
    parts: Pick<ParseModel, 'entry'>;
    clothes?: Pick<ParseModel, 'entry'>;
    persons?: Pick<DetectModel, 'entry'>;
  },
): TimedParseResult {
  const { canvas, image } = parsed;
  const summaries = summarizePersons(
    canvas.labels,
    canvas.owner,
    image.width,
    image.height,
    parsed.persons.length,
    LIP20_LABELS.length,
  );
  const present = new Set<number>();
  const persons: ParsePerson[] = parsed.persons.map((p, i) => {
    const s = summaries[i];
    const parts = s.partPixels
      .map((pixels, id) => ({ id, pixels }))
      .filter((x) => x.id !== 0 && x.pixels > 0)
      .map(({ id, pixels }) => {
        present.add(id);
        return { label: LIP20_LABELS[id], pixels, box: toBox(s.partBounds[id]!) };
      });
    return {
      id: p.id,
      box: roundBox(p.box),
      score: Math.round(p.score * 10_000) / 10_000,
      parts,
      mask: encodeRle(canvas.owner, image.width, image.height, {
        value: p.id,
        bounds: s.bounds ?? undefined,
      }),
      ...(p.keypoints ? { keypoints: p.keypoints } : {}),
    };
  });
  const ids = [...present].sort((a, b) => a - b);
  const model = (models.clothes ?? models.parts).entry;
  return {
    persons,
    numPersons: persons.length,
    partsDetected: ids.map((id) => LIP20_LABELS[id]),
    legend: [0, ...ids].map((id) => ({ id, label: LIP20_LABELS[id], color: hexColour(LIP20_PALETTE[id]) })),
    image: { width: image.width, height: image.height },
    model: { id: model.id, sha256: model.sha256 },
    mode: parsed.mode,
    ...(parsed.mode === 'crops' && models.persons
      ? { personModel: { id: models.persons.entry.id, sha256: models.persons.entry.sha256 } }
      : {}),
    timings: {
      decodeMs: round1(parsed.timings.decodeMs),
      preMs: round1(parsed.timings.preMs ?? 0),
      detectMs: round1(parsed.timings.detectMs),
      inferMs: round1(parsed.timings.inferMs),
      postMs: round1(parsed.timings.postMs),
      batchWaitMs: round1(parsed.timings.batchWaitMs ?? 0),
      batchSize: parsed.timings.batchSize ?? 0,
      detectBatchSize: parsed.timings.detectBatchSize ?? 0,
    },
  };
}

function toBox(b: PixelBounds): Box {
  return { x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2 };
}

function roundBox(b: BoxCorners): Box {
  const r = (v: number) => Math.round(v * 100) / 100;
  return { x1: r(b.x1), y1: r(b.y1), x2: r(b.x2), y2: r(b.y2) };
}

export const round1 = (v: number) => Math.round(v * 10) / 10;
