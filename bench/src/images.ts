/**
 * The benchmark's images: the 128 COCO photos from ../shared/data/coco128 (mixed sizes,
 * mostly 640 px, about half with people). Every request gets distinct bytes, so no request
 * hits the result cache or joins another's job: a JPEG comment segment holding a counter is
 * inserted after the start-of-image marker; decoders skip it, the MD5 changes.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const SHARED = path.resolve(REPO_ROOT, '..', 'shared');
const COCO = path.join(SHARED, 'data', 'coco128', 'images', 'train2017');

export interface BenchImage {
  name: string;
  bytes: Buffer;
}

export function loadImages(): BenchImage[] {
  if (!fs.existsSync(COCO)) throw new Error(`${COCO} is missing: the benchmark needs ../shared/data/coco128`);
  const names = fs
    .readdirSync(COCO)
    .filter((n) => n.endsWith('.jpg'))
    .sort();
  if (names.length === 0) throw new Error(`no JPEG in ${COCO}`);
  return names.map((name) => ({ name, bytes: fs.readFileSync(path.join(COCO, name)) }));
}

/** A JPEG with the same pixels as `jpeg` and bytes no other call returns. */
export function distinctJpeg(jpeg: Buffer, tag: string): Buffer {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('not a JPEG');
  const text = Buffer.from(`argus-bench ${tag}`, 'latin1');
  const segment = Buffer.alloc(4 + text.length);
  segment.writeUInt16BE(0xfffe, 0); // COM marker
  segment.writeUInt16BE(2 + text.length, 2);
  text.copy(segment, 4);
  return Buffer.concat([jpeg.subarray(0, 2), segment, jpeg.subarray(2)]);
}

/** Hands out images round-robin, each with unique bytes for this run. */
export class ImageFeed {
  private next = 0;
  private readonly nonce = crypto.randomBytes(4).toString('hex');

  constructor(private readonly images: readonly BenchImage[]) {}

  take(): BenchImage {
    const i = this.next++;
    const image = this.images[i % this.images.length];
    return { name: image.name, bytes: distinctJpeg(image.bytes, `${this.nonce}-${i}`) };
  }
}
