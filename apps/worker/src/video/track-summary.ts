import type { VideoFrameResult, VideoTrackSummary } from '@argus/contracts';

/** One line per track: its label, when it was first and last seen, and in how many frames. */
export function summarizeTracks(frames: readonly VideoFrameResult[]): VideoTrackSummary[] {
  const byId = new Map<number, VideoTrackSummary>();
  for (const frame of frames) {
    for (const d of frame.detections) {
      if (d.trackId === null) continue;
      const seen = byId.get(d.trackId);
      if (!seen) {
        byId.set(d.trackId, {
          trackId: d.trackId,
          label: d.label,
          classId: d.classId,
          firstFrame: frame.index,
          lastFrame: frame.index,
          firstSeenSec: frame.timeSec,
          lastSeenSec: frame.timeSec,
          frames: 1,
          maxConfidence: d.confidence,
        });
        continue;
      }
      seen.lastFrame = frame.index;
      seen.lastSeenSec = frame.timeSec;
      seen.frames += 1;
      seen.maxConfidence = Math.max(seen.maxConfidence, d.confidence);
    }
  }
  return [...byId.values()].sort((a, b) => a.trackId - b.trackId);
}
