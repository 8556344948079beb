import { iou, type ScoredBox } from './nms';
import { predictMotion, startMotion, updateMotion, type MotionState } from './track-motion';

/** One detection offered to the tracker: corners in pixels, detector score and class. */
export type TrackInput = Omit<ScoredBox, 'anchor'>;

/** ByteTrack's knobs; the defaults are the paper's, with buffers counted in processed frames. */
export interface TrackerOptions {
  /** Detections at or above this score take part in the first association. Default 0.5. */
  highThreshold: number;
  /** Detections between this and `highThreshold` only extend tracks already live. Default 0.1. */
  lowThreshold: number;
  /** An unmatched detection must score at least this to start a track. Default 0.6. */
  newTrackThreshold: number;
  /** Minimum IoU (against the predicted box) for a high-score match. Default 0.2. */
  matchIou: number;
  /** Minimum IoU for a low-score match: stricter, since low scores are often clutter. Default 0.5. */
  lowMatchIou: number;
  /** Frames a track survives without a match before it dies (occlusion gap). Default 30. */
  trackBuffer: number;
  /** Consecutive matches before a newborn track gets an id; 1 confirms at birth. Default 1. */
  minHits: number;
  /** Only associate detections of the same class. Default true. */
  classAware: boolean;
}

export const DEFAULT_TRACKER_OPTIONS: TrackerOptions = {
  highThreshold: 0.5,
  lowThreshold: 0.1,
  newTrackThreshold: 0.6,
  matchIou: 0.2,
  lowMatchIou: 0.5,
  trackBuffer: 30,
  minHits: 1,
  classAware: true,
};

/** A live, lost or tentative track. Plain data so that the whole tracker state is JSON. */
export interface TrackRecord {
  /** 0 while tentative (fewer than `minHits` matches); ids start at 1 and are never reused. */
  id: number;
  classId: number;
  motion: MotionState;
  hits: number;
  /** Frame index (tracker-internal, 0-based) of the last match. */
  lastSeen: number;
  score: number;
}

/** Everything needed to continue tracking elsewhere (a resumed video job). */
export interface TrackerState {
  frame: number;
  nextId: number;
  tracks: TrackRecord[];
}

/**
 * ByteTrack (Zhang et al., 2022) with a constant-velocity alpha-beta motion model in place of
 * the full Kalman filter. Each `update` takes one frame's detections and returns, aligned with
 * them, the id of the track each one joined, or `null` for detections left out (low-score
 * clutter, or a newborn track not yet confirmed). Ids are stable for as long as a track lives.
 */
export class ByteTracker {
  private readonly options: TrackerOptions;
  private state: TrackerState;

  constructor(options: Partial<TrackerOptions> = {}, state?: TrackerState) {
    this.options = { ...DEFAULT_TRACKER_OPTIONS, ...options };
    this.state = state ? structuredClone(state) : { frame: 0, nextId: 1, tracks: [] };
  }

  /** A deep copy of the state; `new ByteTracker(options, snapshot)` continues where this left off. */
  snapshot(): TrackerState {
    return structuredClone(this.state);
  }

  /** Tracks that are live or lost but not yet dead. */
  get tracks(): readonly TrackRecord[] {
    return this.state.tracks;
  }

  update(detections: readonly TrackInput[]): (number | null)[] {
    const o = this.options;
    const frame = this.state.frame;
    const assigned: (number | null)[] = detections.map(() => null);
    const tracks = this.state.tracks;
    for (const t of tracks) t.motion = predictMotion(t.motion);

    const high: number[] = [];
    const low: number[] = [];
    detections.forEach((d, i) => {
      if (d.score >= o.highThreshold) high.push(i);
      else if (d.score >= o.lowThreshold) low.push(i);
    });
    const confirmed = tracks.filter((t) => t.id > 0);
    const tentative = tracks.filter((t) => t.id === 0);
    const matched = new Set<TrackRecord>();

    const apply = (pairs: Array<[TrackRecord, number]>): void => {
      for (const [track, di] of pairs) {
        const d = detections[di];
        track.motion = updateMotion(track.motion, d);
        track.hits += 1;
        track.lastSeen = frame;
        track.score = d.score;
        if (track.id === 0 && track.hits >= o.minHits) track.id = this.state.nextId++;
        assigned[di] = track.id > 0 ? track.id : null;
        matched.add(track);
      }
    };

    // Stage 1: high-score detections against every confirmed track, lost ones included, so a
    // track that was occluded picks up again where its motion model says it should be.
    const first = this.associate(confirmed, high, detections, o.matchIou);
    apply(first.pairs);
    // Stage 2 (the "byte"): low-score detections may only extend tracks seen last frame; an
    // object that is partly hidden drops in score but should keep its id.
    const recent = first.unmatchedTracks.filter((t) => t.lastSeen === frame - 1);
    const second = this.associate(recent, low, detections, o.lowMatchIou);
    apply(second.pairs);
    // Stage 3: tentative tracks get the leftover high-score detections; unmatched ones die.
    const third = this.associate(tentative, first.unmatchedDetections, detections, o.matchIou);
    apply(third.pairs);

    for (const di of third.unmatchedDetections) {
      const d = detections[di];
      if (d.score < o.newTrackThreshold) continue;
      const track: TrackRecord = {
        id: 0,
        classId: d.classId,
        motion: startMotion(d),
        hits: 1,
        lastSeen: frame,
        score: d.score,
      };
      if (o.minHits <= 1) track.id = this.state.nextId++;
      assigned[di] = track.id > 0 ? track.id : null;
      tracks.push(track);
      matched.add(track);
    }

    this.state.tracks = tracks.filter(
      (t) => matched.has(t) || (t.id > 0 && frame - t.lastSeen <= o.trackBuffer),
    );
    this.state.frame = frame + 1;
    return assigned;
  }

  /**
   * Greedy assignment, best IoU first. ByteTrack solves it with the Hungarian method; with
   * IoU gates of 0.2 and above, conflicts are rare and greedy gives the same pairs in
   * practice, at a fraction of the code.
   */
  private associate(
    tracks: readonly TrackRecord[],
    candidates: readonly number[],
    detections: readonly TrackInput[],
    minIou: number,
  ): { pairs: Array<[TrackRecord, number]>; unmatchedTracks: TrackRecord[]; unmatchedDetections: number[] } {
    const scored: Array<{ t: TrackRecord; di: number; overlap: number }> = [];
    for (const t of tracks) {
      const predicted = { ...boxOf(t.motion), score: 0, classId: t.classId };
      for (const di of candidates) {
        const d = detections[di];
        if (this.options.classAware && d.classId !== t.classId) continue;
        const overlap = iou(predicted, d);
        if (overlap >= minIou) scored.push({ t, di, overlap });
      }
    }
    scored.sort((a, b) => b.overlap - a.overlap || a.di - b.di);
    const usedTracks = new Set<TrackRecord>();
    const usedDetections = new Set<number>();
    const pairs: Array<[TrackRecord, number]> = [];
    for (const { t, di } of scored) {
      if (usedTracks.has(t) || usedDetections.has(di)) continue;
      usedTracks.add(t);
      usedDetections.add(di);
      pairs.push([t, di]);
    }
    return {
      pairs,
      unmatchedTracks: tracks.filter((t) => !usedTracks.has(t)),
      unmatchedDetections: candidates.filter((di) => !usedDetections.has(di)),
    };
  }
}

function boxOf(m: MotionState): { x1: number; y1: number; x2: number; y2: number } {
  return { x1: m.cx - m.w / 2, y1: m.cy - m.h / 2, x2: m.cx + m.w / 2, y2: m.cy + m.h / 2 };
}
