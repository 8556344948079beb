import type { TrackedDetection } from '@argus/contracts';
import { TrackLifecycle } from './track-lifecycle';

const person = (trackId: number | null, x: number, confidence = 0.8): TrackedDetection => ({
  label: 'person',
  classId: 0,
  confidence,
  box: { x1: x, y1: 0, x2: x + 10, y2: 20 },
  trackId,
});

describe('TrackLifecycle', () => {
  it('begins a track on its first frame, follows it, and ends it once the tracker drops it', () => {
    const life = new TrackLifecycle();
    const t0 = Date.UTC(2026, 0, 1);
    const begun = life.observe(t0, [person(1, 0), person(null, 50)], new Set([1]));
    expect(begun).toEqual([
      { event: 'track.begin', track: expect.objectContaining({ trackId: 1, label: 'person', frames: 1 }) },
    ]);
    expect(
      life.observe(t0 + 500, [person(1, 5, 0.9), person(2, 60)], new Set([1, 2])).map((c) => c.event),
    ).toEqual(['track.begin']);
    // Track 1 is unseen but the tracker still holds it (occlusion): no end yet.
    expect(life.observe(t0 + 1000, [person(2, 61)], new Set([1, 2]))).toEqual([]);
    const ended = life.observe(t0 + 1500, [person(2, 62)], new Set([2]));
    expect(ended).toEqual([
      {
        event: 'track.end',
        reason: 'lost',
        track: expect.objectContaining({
          trackId: 1,
          frames: 2,
          bestConfidence: 0.9,
          firstSeenAt: new Date(t0).toISOString(),
          lastSeenAt: new Date(t0 + 500).toISOString(),
          box: { x1: 5, y1: 0, x2: 15, y2: 20 },
        }),
      },
    ]);
    const lost = life.endAll();
    expect(lost.map((c) => [c.event, c.track.trackId, c.reason])).toEqual([['track.end', 2, 'source_lost']]);
    expect(life.endAll()).toEqual([]);
  });
});
