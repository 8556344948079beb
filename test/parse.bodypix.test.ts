/**
 * Golden tests of the parse pipeline on real models and real images: BodyPix 0.75 with the
 * YOLOv8n person detector, in crop-and-paste and whole-image mode. A missing model or image
 * fails these tests with the reason; nothing is skipped.
 */
import path from 'node:path';
import sharp from 'sharp';
import type { ParseResult } from '@argus/contracts';
import { parseImage } from '@argus/models';
import { LIP20_LABELS, LIP20_PALETTE, decodeRgb, decodeRle } from '@argus/vision';
import { readIndexedPng } from './support/indexed-png';
import { LIMITS, OPTIONS, SAMPLES, SHARED, readInput, useBodypixModels } from './support/parse-golden';

/** A coco128 photo (bowls of food) whose labels have no person, and in which neither mode finds one. */
const NO_PERSON = path.join(SHARED, 'coco128', 'images', 'train2017', '000000000009.jpg');

const models = useBodypixModels();

const inside = (
  inner: ParseResult['persons'][number]['box'],
  outer: ParseResult['persons'][number]['box'],
  slack: number,
) => {
  const sx = slack * (outer.x2 - outer.x1);
  const sy = slack * (outer.y2 - outer.y1);
  return (
    inner.x1 >= outer.x1 - sx &&
    inner.y1 >= outer.y1 - sy &&
    inner.x2 <= outer.x2 + sx &&
    inner.y2 <= outer.y2 + sy
  );
};

/** Checks shared by every parse result: sizes, disjoint masks, consistent counts, small JSON. */
async function checkConsistency(
  bytes: Buffer,
  result: ParseResult,
  artifacts: Awaited<ReturnType<typeof parseImage>>['artifacts'],
) {
  const input = await decodeRgb(bytes, LIMITS);
  expect(result.image).toEqual({ width: input.width, height: input.height });
  const overlay = await sharp(artifacts.overlayPng).metadata();
  expect([overlay.width, overlay.height, overlay.format]).toEqual([input.width, input.height, 'png']);
  const labels = readIndexedPng(artifacts.labelsPng);
  expect([labels.width, labels.height, labels.colourType]).toEqual([input.width, input.height, 3]);
  expect(labels.palette).toEqual(LIP20_PALETTE);
  expect(artifacts.personMaskPngs).toHaveLength(result.numPersons);
  expect(result.persons.map((p) => p.id)).toEqual(result.persons.map((_, i) => i + 1));

  // Pixel checks are counted and asserted once: an expect() per pixel would take minutes.
  const seen = new Uint8Array(input.width * input.height);
  let shared = 0;
  let unlabelled = 0;
  let maskMismatch = 0;
  for (const [i, person] of result.persons.entries()) {
    const mask = decodeRle(person.mask);
    const png = readIndexedPng(artifacts.personMaskPngs[i]);
    let area = 0;
    for (let p = 0; p < mask.length; p++) {
      if ((png.pixels[p] === 255) !== (mask[p] === 1)) maskMismatch++;
      if (!mask[p]) continue;
      area++;
      if (seen[p]) shared++;
      seen[p] = 1;
      if (labels.pixels[p] === 0) unlabelled++;
    }
    expect(area).toBe(person.parts.reduce((a, x) => a + x.pixels, 0));
    for (const part of person.parts) expect(LIP20_LABELS).toContain(part.label);
  }
  let orphans = 0;
  for (let p = 0; p < seen.length; p++) if (labels.pixels[p] !== 0 && !seen[p]) orphans++;
  // No pixel belongs to two people; every person pixel is labelled and every labelled pixel
  // belongs to someone; the mask PNGs and the RLE masks agree.
  expect({ shared, unlabelled, orphans, maskMismatch }).toEqual({
    shared: 0,
    unlabelled: 0,
    orphans: 0,
    maskMismatch: 0,
  });
  expect(JSON.stringify(result).length).toBeLessThan(100_000);
}

describe('parseImage with BodyPix 0.75 and the YOLOv8n person detector', () => {
  it('zidane.jpg: 2 people, each with a face and a torso inside their own box', async () => {
    const bytes = readInput(path.join(SAMPLES, 'zidane.jpg'));
    const { result, artifacts } = await parseImage(models, bytes, OPTIONS, LIMITS);
    expect(result.mode).toBe('crops');
    expect(result.model.id).toBe('bodypix-075');
    expect(result.personModel?.id).toBe('yolov8n');
    expect(result.numPersons).toBe(2);
    for (const person of result.persons) {
      const face = person.parts.find((p) => p.label === 'Face');
      const torso = person.parts.find((p) => p.label === 'UpperClothes');
      expect(face && torso).toBeTruthy();
      expect(face!.pixels).toBeGreaterThan(5_000);
      expect(torso!.pixels).toBeGreaterThan(20_000);
      expect(inside(face!.box, person.box, 0.05)).toBe(true);
      expect(inside(torso!.box, person.box, 0.05)).toBe(true);
      // The face sits above the torso's middle.
      expect((face!.box.y1 + face!.box.y2) / 2).toBeLessThan((torso!.box.y1 + torso!.box.y2) / 2);
    }
    // The two faces are different regions, one per person, left and right.
    const faces = result.persons
      .map((p) => p.parts.find((x) => x.label === 'Face')!.box)
      .sort((a, b) => a.x1 - b.x1);
    expect(faces[0].x2).toBeLessThan(faces[1].x1);
    expect(result.partsDetected).toEqual(
      expect.arrayContaining(['Face', 'UpperClothes', 'Left-arm', 'Right-arm']),
    );
    expect(result.legend[0]).toEqual({ id: 0, label: 'Background', color: '#000000' });
    expect(result.timings.inferMs).toBeGreaterThan(0);
    expect(result.timings.detectMs).toBeGreaterThan(0);
    await checkConsistency(bytes, result, artifacts);
  });

  it('bus.jpg: at least 3 people with legs and feet', async () => {
    const bytes = readInput(path.join(SAMPLES, 'bus.jpg'));
    const { result, artifacts } = await parseImage(models, bytes, OPTIONS, LIMITS);
    expect(result.numPersons).toBeGreaterThanOrEqual(3);
    expect(result.partsDetected).toEqual(
      expect.arrayContaining(['Face', 'UpperClothes', 'Left-leg', 'Right-leg', 'Left-shoe']),
    );
    const withFace = result.persons.filter((p) => p.parts.some((x) => x.label === 'Face'));
    expect(withFace.length).toBeGreaterThanOrEqual(2);
    await checkConsistency(bytes, result, artifacts);
  });

  it('bus.jpg in whole-image mode also finds people (split by connected regions)', async () => {
    const bytes = readInput(path.join(SAMPLES, 'bus.jpg'));
    const { result, artifacts } = await parseImage(models, bytes, { ...OPTIONS, mode: 'whole' }, LIMITS);
    expect(result.mode).toBe('whole');
    expect(result.personModel).toBeUndefined();
    expect(result.timings.detectMs).toBe(0);
    expect(result.numPersons).toBeGreaterThanOrEqual(1);
    await checkConsistency(bytes, result, artifacts);
  });

  it('a photo without people: 0 people, and the overlay is the input unchanged', async () => {
    const bytes = readInput(NO_PERSON);
    const input = await decodeRgb(bytes, LIMITS);
    for (const mode of ['crops', 'whole'] as const) {
      const { result, artifacts } = await parseImage(models, bytes, { ...OPTIONS, mode }, LIMITS);
      expect(result.numPersons).toBe(0);
      expect(result.persons).toEqual([]);
      expect(result.partsDetected).toEqual([]);
      expect(result.legend).toEqual([{ id: 0, label: 'Background', color: '#000000' }]);
      expect(artifacts.personMaskPngs).toEqual([]);
      const overlay = await decodeRgb(artifacts.overlayPng, LIMITS);
      expect([overlay.width, overlay.height]).toEqual([input.width, input.height]);
      expect(Buffer.from(overlay.data).equals(Buffer.from(input.data))).toBe(true);
      expect(readIndexedPng(artifacts.labelsPng).pixels.every((v) => v === 0)).toBe(true);
    }
  });

  it('falls back to whole-image mode when no person detector is loaded', async () => {
    const bytes = readInput(path.join(SAMPLES, 'zidane.jpg'));
    const { result } = await parseImage({ parts: models.parts }, bytes, OPTIONS, LIMITS);
    expect(result.mode).toBe('whole');
    expect(result.numPersons).toBeGreaterThanOrEqual(1);
  });
});
