import fs from 'node:fs/promises';
import path from 'node:path';
import sharp, { type OverlayOptions } from 'sharp';
import type { Detection, TrackedPerson, VideoFrameResult } from '@argus/contracts';
import { boxColour, decodeRle, detectionSvg } from '@argus/vision';
import { readFrames } from './frame-reader';
import { Mp4Encoder } from './video-encoder';
import type { VideoProbe } from './video-probe';

/** Frames on the contact sheet, and the width of each thumbnail. */
const SHEET_FRAMES = 12;
const SHEET_COLUMNS = 4;
const THUMB_WIDTH = 320;

export interface RenderJob {
  ffmpeg: string;
  file: string;
  probe: VideoProbe;
  fps: number;
  frames: readonly VideoFrameResult[];
  workDir: string;
  signal: AbortSignal;
  timeoutMs: number;
}

export type VideoArtifacts = Record<'annotated.mp4' | 'contact-sheet.jpg', Buffer>;

/**
 * Draws each frame's boxes, labelled with track ids (parse: over each person's tinted mask), and encodes them as an MP4 at the
 * sampling rate; a dozen evenly spaced annotated frames make the contact sheet. It decodes
 * the video a second time rather than keeping frames from the detection pass, so a resumed
 * job renders the whole video from the stored per-frame results.
 */
export async function renderVideoArtifacts(job: RenderJob): Promise<VideoArtifacts> {
  const { width, height } = job.probe;
  const out = path.join(job.workDir, 'annotated.mp4');
  const encoder = new Mp4Encoder(job.ffmpeg, out, {
    width,
    height,
    fps: job.fps,
    signal: job.signal,
    timeoutMs: job.timeoutMs,
  });
  const step = Math.max(1, job.frames.length / SHEET_FRAMES);
  const sheetAt = new Set(
    Array.from({ length: Math.min(SHEET_FRAMES, job.frames.length) }, (_, i) => Math.floor(i * step)),
  );
  const thumbHeight = Math.max(1, Math.round((height * THUMB_WIDTH) / width));
  const thumbs: Buffer[] = [];
  try {
    const decoded = readFrames(job.ffmpeg, job.file, {
      fps: job.fps,
      width,
      height,
      endFrame: job.frames.length,
      signal: job.signal,
      timeoutMs: job.timeoutMs,
    });
    for await (const frame of decoded) {
      const result = job.frames[frame.index];
      const svg = Buffer.from(detectionSvg(result ? trackLabels(result) : [], width, height));
      const layers: OverlayOptions[] = [];
      if (result?.persons?.length) {
        layers.push({
          input: personLayer(result.persons, width, height),
          raw: { width, height, channels: 4 },
        });
      }
      layers.push({ input: svg, top: 0, left: 0 });
      const annotated = await sharp(frame.rgb, { raw: { width, height, channels: 3 } })
        .composite(layers)
        .removeAlpha()
        .raw()
        .toBuffer();
      await encoder.write(annotated);
      if (sheetAt.has(frame.index)) {
        thumbs.push(
          await sharp(annotated, { raw: { width, height, channels: 3 } })
            .resize(THUMB_WIDTH, thumbHeight, { fit: 'fill' })
            .png()
            .toBuffer(),
        );
      }
    }
    await encoder.finish();
  } catch (err) {
    encoder.abort();
    throw err;
  }
  return {
    'annotated.mp4': await fs.readFile(out),
    'contact-sheet.jpg': await contactSheet(thumbs, thumbHeight),
  };
}

/** Boxes labelled "person #3"; colour follows the track, so one object keeps its colour. */
function trackLabels(frame: VideoFrameResult): Detection[] {
  return frame.detections.map((d) => ({
    label: d.trackId === null ? d.label : `${d.label} #${d.trackId}`,
    // detectionSvg colours by classId; here the track id picks the colour instead.
    classId: d.trackId ?? d.classId,
    confidence: d.confidence,
    box: d.box,
  }));
}

/** parse: each person's pixels tinted in their track's colour, half opaque. */
function personLayer(persons: readonly TrackedPerson[], width: number, height: number): Buffer {
  const layer = Buffer.alloc(width * height * 4);
  for (const person of persons) {
    const hex = boxColour(person.trackId ?? 0);
    const rgb = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    const mask = decodeRle(person.mask);
    for (let i = 0; i < mask.length; i++) {
      if (!mask[i]) continue;
      layer[i * 4] = rgb[0];
      layer[i * 4 + 1] = rgb[1];
      layer[i * 4 + 2] = rgb[2];
      layer[i * 4 + 3] = 128;
    }
  }
  return layer;
}

async function contactSheet(thumbs: Buffer[], thumbHeight: number): Promise<Buffer> {
  const columns = Math.max(1, Math.min(SHEET_COLUMNS, thumbs.length));
  const rows = Math.max(1, Math.ceil(thumbs.length / columns));
  return sharp({
    create: { width: columns * THUMB_WIDTH, height: rows * thumbHeight, channels: 3, background: '#000000' },
  })
    .composite(
      thumbs.map((input, i) => ({
        input,
        left: (i % columns) * THUMB_WIDTH,
        top: Math.floor(i / columns) * thumbHeight,
      })),
    )
    .jpeg({ quality: 80 })
    .toBuffer();
}
