/**
 * Constant-velocity motion of a box, one step per processed frame: an alpha-beta filter
 * (the steady-state form of a Kalman filter with fixed gains) over centre, width and height.
 * It is enough to carry a track across a short occlusion; the full Kalman covariance that
 * ByteTrack uses buys little at the 1–10 fps a video job samples at.
 */
export interface MotionState {
  cx: number;
  cy: number;
  w: number;
  h: number;
  vx: number;
  vy: number;
  vw: number;
  vh: number;
}

/** How far a measurement pulls the position (alpha) and the velocity (beta). */
const ALPHA = 0.7;
const BETA = 0.3;

interface Corners {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export function startMotion(box: Corners): MotionState {
  return {
    cx: (box.x1 + box.x2) / 2,
    cy: (box.y1 + box.y2) / 2,
    w: box.x2 - box.x1,
    h: box.y2 - box.y1,
    vx: 0,
    vy: 0,
    vw: 0,
    vh: 0,
  };
}

/** One frame ahead. Size never shrinks below a pixel, so a lost track cannot vanish. */
export function predictMotion(m: MotionState): MotionState {
  return {
    ...m,
    cx: m.cx + m.vx,
    cy: m.cy + m.vy,
    w: Math.max(1, m.w + m.vw),
    h: Math.max(1, m.h + m.vh),
  };
}

/** Corrects a predicted state with a measured box. */
export function updateMotion(predicted: MotionState, box: Corners): MotionState {
  const z = startMotion(box);
  const rx = z.cx - predicted.cx;
  const ry = z.cy - predicted.cy;
  const rw = z.w - predicted.w;
  const rh = z.h - predicted.h;
  return {
    cx: predicted.cx + ALPHA * rx,
    cy: predicted.cy + ALPHA * ry,
    w: predicted.w + ALPHA * rw,
    h: predicted.h + ALPHA * rh,
    vx: predicted.vx + BETA * rx,
    vy: predicted.vy + BETA * ry,
    vw: predicted.vw + BETA * rw,
    vh: predicted.vh + BETA * rh,
  };
}
