import type { TrackedDetection, VideoFrameResult } from '@argus/contracts';
import { summarizeTracks } from './track-summary';
import { framesInFlight } from './video-detect';

const det = (trackId: number | null, confidence: number, label = 'person'): TrackedDetection => ({
  label,
  classId: label === 'person' ? 0 : 2,
  confidence,
  box: { x1: 0, y1: 0, x2: 10, y2: 10 },
  trackId,
});

describe('summarizeTracks', () => {
  it('gives each track its first and last sighting, frame count and best confidence', () => {
    const frames: VideoFrameResult[] = [
      { index: 0, timeSec: 0, detections: [det(1, 0.8)] },
      { index: 1, timeSec: 0.2, detections: [det(1, 0.9), det(2, 0.7, 'car'), det(null, 0.3)] },
      { index: 2, timeSec: 0.4, detections: [] },
      { index: 3, timeSec: 0.6, detections: [det(2, 0.75, 'car')] },
      { index: 4, timeSec: 0.8, detections: [det(1, 0.6)] },
    ];
    expect(summarizeTracks(frames)).toEqual([
      {
        trackId: 1,
        label: 'person',
        classId: 0,
        firstFrame: 0,
        lastFrame: 4,
        firstSeenSec: 0,
        lastSeenSec: 0.8,
        frames: 3,
        maxConfidence: 0.9,
      },
      {
        trackId: 2,
        label: 'car',
        classId: 2,
        firstFrame: 1,
        lastFrame: 3,
        firstSeenSec: 0.2,
        lastSeenSec: 0.6,
        frames: 2,
        maxConfidence: 0.75,
      },
    ]);
  });

  it('is empty when nothing was tracked', () => {
    expect(summarizeTracks([{ index: 0, timeSec: 0, detections: [det(null, 0.3)] }])).toEqual([]);
  });
});

describe('framesInFlight', () => {
  it('keeps the configured chunk for small frames and shrinks it for large ones', () => {
    expect(framesInFlight(16, 640 * 480)).toBe(16);
    expect(framesInFlight(16, 3840 * 2160)).toBe(3);
    expect(framesInFlight(16, 100_000_000)).toBe(1);
  });
});
