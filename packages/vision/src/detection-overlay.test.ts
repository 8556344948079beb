import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Detection } from '@argus/contracts';
import { boxColour, detectionSvg, renderDetectionOverlay } from './detection-overlay';

const BUS = path.resolve(__dirname, '../../../../shared/data/samples/bus.jpg');

const person: Detection = {
  label: 'person',
  classId: 0,
  confidence: 0.9,
  box: { x1: 50, y1: 400, x2: 240, y2: 900 },
};

describe('detection overlay', () => {
  it('draws one box and one label per detection, escaping label text', () => {
    const svg = detectionSvg([person, { ...person, label: 'a<b&c', classId: 5 }], 810, 1080);
    expect(svg.match(/<text /g)).toHaveLength(2);
    expect(svg).toContain('person 0.90');
    expect(svg).toContain('a&lt;b&amp;c');
    expect(svg).not.toContain('a<b');
  });

  it('gives a class the same colour everywhere and neighbours different ones', () => {
    expect(boxColour(0)).toBe(boxColour(20));
    expect(boxColour(0)).not.toBe(boxColour(1));
  });

  it('renders a PNG of the oriented photo with the box colour on the box edge', async () => {
    if (!fs.existsSync(BUS)) throw new Error(`${BUS} is missing (../shared must sit beside the repo)`);
    const png = await renderDetectionOverlay(fs.readFileSync(BUS), [person], { width: 810, height: 1080 });
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([810, 1080]);
    // A pixel on the left edge of the box, halfway down, is the class colour (#ff3b30).
    const i = (650 * info.width + 50) * info.channels;
    expect([data[i], data[i + 1], data[i + 2]]).toEqual([0xff, 0x3b, 0x30]);
  });
});
