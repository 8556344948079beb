import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { AppError } from '@argus/contracts';

/** Every ffmpeg/ffprobe this process started and that has not exited yet. */
const running = new Set<FfmpegProcess>();

/** How much of stderr is kept: ffmpeg states the reason for a failure in its last lines. */
const STDERR_TAIL_BYTES = 4096;

export interface FfmpegRun {
  /** Killed (SIGKILL) when this aborts: job canceled, worker shutting down. */
  signal?: AbortSignal;
  /** Killed after this long; `exited` then reports `timedOut`. */
  timeoutMs?: number;
}

export interface FfmpegExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
}

/**
 * One spawned ffmpeg or ffprobe with pipes on all three streams. The process never
 * outlives what started it: abort, timeout, `kill()` and `killAllFfmpeg()` (shutdown) end
 * it with SIGKILL, and if the worker itself dies, ffmpeg's next write to the orphaned pipe
 * raises SIGPIPE and ends it too.
 */
export class FfmpegProcess {
  readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly exited: Promise<FfmpegExit>;
  private tail = Buffer.alloc(0);
  private timedOut = false;
  private aborted = false;

  constructor(bin: string, args: readonly string[], run: FfmpegRun = {}) {
    this.child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    running.add(this);
    this.child.stderr.on('data', (chunk: Buffer) => {
      const joined = Buffer.concat([this.tail, chunk]);
      this.tail = joined.subarray(Math.max(0, joined.length - STDERR_TAIL_BYTES));
    });
    // EPIPE when ffmpeg exits before reading all its input; the exit status says why.
    this.child.stdin.on('error', () => undefined);
    const onAbort = () => {
      this.aborted = true;
      this.kill();
    };
    run.signal?.addEventListener('abort', onAbort, { once: true });
    if (run.signal?.aborted) onAbort();
    const timer =
      run.timeoutMs !== undefined
        ? setTimeout(() => {
            this.timedOut = true;
            this.kill();
          }, run.timeoutMs)
        : undefined;
    this.exited = new Promise((resolve) => {
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        running.delete(this);
        if (timer) clearTimeout(timer);
        run.signal?.removeEventListener('abort', onAbort);
        resolve({ code, signal, timedOut: this.timedOut, aborted: this.aborted });
      };
      this.child.once('close', finish);
      this.child.once('error', (err) => {
        this.tail = Buffer.from(`cannot start ${bin}: ${err.message}`);
        finish(null, null);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The last lines ffmpeg wrote to stderr, trimmed, for error messages. */
  stderrTail(maxChars = 500): string {
    const text = this.tail.toString('utf8').trim();
    return text.length > maxChars ? `…${text.slice(text.length - maxChars)}` : text;
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** Shutdown: end every ffmpeg this process started. */
export function killAllFfmpeg(): void {
  for (const p of running) p.kill();
}

/** Pids of the ffmpeg processes still running (tests assert this empties). */
export function runningFfmpegPids(): number[] {
  return [...running].map((p) => p.pid).filter((pid): pid is number => pid !== undefined);
}

/** Why work stopped on abort: the reason given to `abort()` when it is an error (shutdown), else `canceled`. */
export function abortReason(signal: AbortSignal | undefined): Error {
  return signal?.reason instanceof Error
    ? signal.reason
    : new AppError('canceled', 'the job was canceled on request');
}
