import { ByteTracker, type TrackInput } from './byte-tracker';
import { predictMotion, startMotion, updateMotion } from './track-motion';

/** A 40×40 box centred at (cx, cy). */
const at = (cx: number, cy: number, score = 0.9, classId = 0): TrackInput => ({
  x1: cx - 20,
  y1: cy - 20,
  x2: cx + 20,
  y2: cy + 20,
  score,
  classId,
});

describe('track motion', () => {
  it('learns a constant velocity and predicts the next box', () => {
    let m = startMotion(at(0, 0));
    for (let f = 1; f <= 10; f++) m = updateMotion(predictMotion(m), at(10 * f, 0));
    expect(m.vx).toBeCloseTo(10, 0);
    expect(predictMotion(m).cx).toBeCloseTo(110, 0);
    expect(m.w).toBeCloseTo(40, 6);
  });
});

describe('ByteTracker', () => {
  it('keeps both ids when two objects cross paths', () => {
    // A moves right, B moves left along the same row with a small vertical offset; they
    // overlap heavily for a few frames around frame 10.
    const tracker = new ByteTracker();
    const seen: Array<[number | null, number | null]> = [];
    for (let f = 0; f <= 20; f++) {
      const a = at(100 + 10 * f, 100);
      const b = at(300 - 10 * f, 108);
      seen.push(tracker.update([a, b]) as [number | null, number | null]);
    }
    expect(seen[0]).toEqual([1, 2]);
    for (const ids of seen) expect(ids).toEqual([1, 2]);
  });

  it('carries an id across an occlusion gap shorter than the buffer', () => {
    const tracker = new ByteTracker({ trackBuffer: 10 });
    const ids: Array<number | null> = [];
    for (let f = 0; f < 30; f++) {
      const hidden = f >= 10 && f < 16; // six frames with no detection at all
      const out = tracker.update(hidden ? [] : [at(50 + 8 * f, 200)]);
      if (!hidden) ids.push(out[0]);
    }
    expect(new Set(ids)).toEqual(new Set([1]));
  });

  it('gives a new id when the gap is longer than the buffer', () => {
    const tracker = new ByteTracker({ trackBuffer: 3 });
    expect(tracker.update([at(100, 100)])).toEqual([1]);
    for (let f = 0; f < 5; f++) tracker.update([]);
    expect(tracker.update([at(100, 100)])).toEqual([2]);
    expect(tracker.tracks.map((t) => t.id)).toEqual([2]);
  });

  it('gives a new object entering the scene the next id and leaves the others alone', () => {
    const tracker = new ByteTracker();
    for (let f = 0; f < 5; f++) expect(tracker.update([at(100 + 5 * f, 100), at(400, 300)])).toEqual([1, 2]);
    for (let f = 5; f < 10; f++) {
      expect(tracker.update([at(600, 50 + 10 * f), at(100 + 5 * f, 100), at(400, 300)])).toEqual([3, 1, 2]);
    }
  });

  it('extends a live track with a low-score detection but never starts one from it', () => {
    const tracker = new ByteTracker();
    expect(tracker.update([at(100, 100, 0.9)])).toEqual([1]);
    // Partly occluded: the detector's score drops under the high threshold.
    expect(tracker.update([at(104, 100, 0.3)])).toEqual([1]);
    expect(tracker.update([at(108, 100, 0.9)])).toEqual([1]);
    // A lone low-score box elsewhere is clutter, and so is a box below newTrackThreshold.
    expect(tracker.update([at(112, 100, 0.9), at(500, 500, 0.3), at(700, 500, 0.55)])).toEqual([
      1,
      null,
      null,
    ]);
    expect(tracker.tracks).toHaveLength(1);
  });

  it('does not match across classes when class-aware', () => {
    const tracker = new ByteTracker();
    expect(tracker.update([at(100, 100, 0.9, 0)])).toEqual([1]);
    expect(tracker.update([at(100, 100, 0.9, 2)])).toEqual([2]);
    const agnostic = new ByteTracker({ classAware: false });
    agnostic.update([at(100, 100, 0.9, 0)]);
    expect(agnostic.update([at(100, 100, 0.9, 2)])).toEqual([1]);
  });

  it('withholds an id until minHits matches, and drops a one-frame blip', () => {
    const tracker = new ByteTracker({ minHits: 2 });
    expect(tracker.update([at(100, 100)])).toEqual([null]);
    expect(tracker.update([at(104, 100)])).toEqual([1]);
    expect(tracker.update([at(108, 100), at(500, 500)])).toEqual([1, null]);
    expect(tracker.update([at(112, 100)])).toEqual([1]);
    expect(tracker.update([at(116, 100), at(300, 300)])).toEqual([1, null]);
    expect(tracker.update([at(120, 100), at(304, 300)])).toEqual([1, 2]);
  });

  it('continues from a snapshot exactly as the original does', () => {
    const frames = Array.from({ length: 12 }, (_, f) => [at(100 + 10 * f, 100), at(400, 100 + 6 * f)]);
    const whole = new ByteTracker();
    const expected = frames.map((d) => whole.update(d));
    const first = new ByteTracker();
    const got = frames.slice(0, 6).map((d) => first.update(d));
    const resumed = new ByteTracker({}, JSON.parse(JSON.stringify(first.snapshot())));
    got.push(...frames.slice(6).map((d) => resumed.update(d)));
    expect(got).toEqual(expected);
  });
});
