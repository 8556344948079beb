import type { StreamTrack, TrackedDetection } from '@argus/contracts';

/** A track that began or ended on this frame. */
export interface TrackChange {
  event: 'track.begin' | 'track.end';
  track: StreamTrack;
  reason?: 'lost' | 'source_lost';
}

/**
 * Turns a live stream's per-frame tracked detections into track begin and end events.
 * A track begins on the first frame that carries its id, and ends when the tracker has
 * dropped it (not matched for its buffer of frames) or when the source is lost. Pure: the
 * caller says when each frame was captured and which ids the tracker still holds.
 */
export class TrackLifecycle {
  private readonly open = new Map<number, StreamTrack>();

  /** One processed frame: `detections` with their track ids, `alive` the ids the tracker still holds. */
  observe(
    capturedAt: number,
    detections: readonly TrackedDetection[],
    alive: ReadonlySet<number>,
  ): TrackChange[] {
    const at = new Date(capturedAt).toISOString();
    const changes: TrackChange[] = [];
    for (const d of detections) {
      if (d.trackId === null) continue;
      const known = this.open.get(d.trackId);
      if (known) {
        known.lastSeenAt = at;
        known.frames += 1;
        known.bestConfidence = Math.max(known.bestConfidence, d.confidence);
        known.box = { ...d.box };
        continue;
      }
      const track: StreamTrack = {
        trackId: d.trackId,
        label: d.label,
        classId: d.classId,
        firstSeenAt: at,
        lastSeenAt: at,
        frames: 1,
        bestConfidence: d.confidence,
        box: { ...d.box },
      };
      this.open.set(d.trackId, track);
      changes.push({ event: 'track.begin', track: { ...track } });
    }
    for (const [id, track] of this.open) {
      if (alive.has(id)) continue;
      this.open.delete(id);
      changes.push({ event: 'track.end', track, reason: 'lost' });
    }
    return changes;
  }

  /** The source dropped: every open track ends (the tracker starts afresh after a reconnect). */
  endAll(): TrackChange[] {
    const changes = [...this.open.values()].map((track) => ({
      event: 'track.end' as const,
      track,
      reason: 'source_lost' as const,
    }));
    this.open.clear();
    return changes;
  }
}
