/**
 * Parse accuracy on CIHP ground truth (../shared/data/cihp_val5): BodyPix 0.75 against the
 * reference mIoU, and its left/right parts on the right CIHP labels.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runParse } from '@argus/models';
import { PARSE_REFERENCE, evaluateParsing } from '../apps/tools/src/eval/parse-eval';
import { LIMITS, MODELS_DIR, OPTIONS, SHARED, readInput, useBodypixModels } from './support/parse-golden';

const models = useBodypixModels();

describe('CIHP accuracy (coarse 6-class mIoU, ../shared/data/cihp_val5)', () => {
  it('whole-image mode is not worse than the reference, and crop-and-paste beats it', async () => {
    const result = await evaluateParsing({ modelsDir: MODELS_DIR, modelId: 'bodypix-075' });
    const [whole, crops] = result.results;
    const ref = PARSE_REFERENCE['bodypix-075'];
    console.log(
      result.results
        .map(
          (r) =>
            `${r.mode}: mIoU ${r.miou.toFixed(3)}, person IoU ${r.personIou.toFixed(3)}, ${r.msPerImage.toFixed(0)} ms/image`,
        )
        .join('\n'),
    );
    expect(result.modelId).toBe('bodypix-075');
    expect(whole.mode).toBe('whole');
    expect(whole.images).toBe(5);
    expect(whole.miou).toBeGreaterThanOrEqual(ref.miou);
    expect(whole.personIou).toBeGreaterThanOrEqual(ref.personIou);
    expect(crops.mode).toBe('crops');
    expect(crops.miou).toBeGreaterThan(whole.miou);
    expect(crops.personIou).toBeGreaterThanOrEqual(ref.personIou);
  }, 120_000);

  it("BodyPix's left/right parts land on CIHP's Left-*/Right-* labels, not the swapped ones", async () => {
    const dir = path.join(SHARED, 'cihp_val5');
    const ids = fs.readFileSync(path.join(dir, 'val_id.txt'), 'utf8').split('\n').filter(Boolean);
    let same = 0;
    let swapped = 0;
    const { decodeGrayLabels } = await import('@argus/vision');
    for (const id of ids) {
      const parsed = await runParse(
        { parts: models.parts },
        readInput(path.join(dir, 'images', `${id}.jpg`)),
        { ...OPTIONS, mode: 'whole' },
        LIMITS,
      );
      const gt = await decodeGrayLabels(readInput(path.join(dir, 'labels', `${id}.png`)));
      for (let i = 0; i < gt.labels.length; i++) {
        const p = parsed.canvas.labels[i];
        const g = gt.labels[i];
        // Ids 14–19 come in left/right pairs: (14, 15) arms, (16, 17) legs, (18, 19) shoes.
        if (p < 14 || g < 14 || p >> 1 !== g >> 1) continue;
        if (p === g) same++;
        else swapped++;
      }
    }
    expect(same).toBeGreaterThan(4 * swapped);
  }, 60_000);
});
