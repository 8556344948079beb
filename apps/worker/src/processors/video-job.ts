import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import {
  AppError,
  JobDataSchema,
  VideoOptionsSchema,
  type JobData,
  type JobReturn,
  type VideoResult,
} from '@argus/contracts';
import type { ProcessorDeps } from './processor-deps';
import { toJobFailure } from './job-failure';
import { completedSnapshot, failedSnapshot } from '../lifecycle/job-snapshot';
import { frameAnalyzer } from '../video/frame-analyzers';
import { summarizeTracks } from '../video/track-summary';
import { detectVideoFrames } from '../video/video-detect';
import { plannedFrames, probeVideo } from '../video/video-probe';
import { renderVideoArtifacts } from '../video/video-render';

/** How often a running video job looks for a cancel request: cancel takes effect within this. */
const CANCEL_POLL_MS = 250;

/**
 * A detect or parse job on a video: probe (limits before any decoding), detect and track frame
 * chunks (each stored as it completes, so a retry resumes), render the annotated MP4 and
 * contact sheet, store the result. Cancel and shutdown abort it at once, killing ffmpeg;
 * a canceled or finally failed job leaves no chunk keys behind.
 */
export async function runVideoJob(job: Job<JobData, JobReturn>, deps: ProcessorDeps): Promise<JobReturn> {
  const log = deps.log.child({
    jobId: job.id,
    requestId: job.data.requestId,
    task: job.data.task,
    media: 'video',
  });
  const jobId = String(job.id);
  const video = deps.video;
  const store = video ? video.chunks(jobId, deps.resultTtlSeconds) : undefined;
  const controller = new AbortController();
  const onStop = () => controller.abort(video?.stopping.reason);
  video?.stopping.addEventListener('abort', onStop, { once: true });
  if (video?.stopping.aborted) onStop();
  const cancelWatch = setInterval(() => {
    deps.cancels.isRequested(jobId).then(
      (asked) => asked && controller.abort(new AppError('canceled', 'the job was canceled on request')),
      () => undefined,
    );
  }, CANCEL_POLL_MS);
  const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'argus-video-'));
  try {
    if (!video || !store)
      throw new AppError('invalid_request', 'this worker was started without video support');
    const parsed = JobDataSchema.safeParse(job.data);
    if (!parsed.success) throw new AppError('invalid_request', `malformed job data: ${parsed.error.message}`);
    const data = parsed.data;
    const analyze = frameAnalyzer(data, deps.inference);
    const sampling = VideoOptionsSchema.safeParse(data.options);
    if (!sampling.success) throw new AppError('invalid_option', sampling.error.message);

    if (await deps.results.has(data.resultKey)) {
      await Promise.all([deps.uploads.delete(data.blobKey), store.clear()]);
      await job.updateProgress({ stage: 'done', percent: 100 });
      await deps.events.ended(completedSnapshot(job));
      return { resultKey: data.resultKey };
    }
    const started = performance.now();
    const bytes = await deps.uploads.get(data.blobKey);
    if (!bytes)
      throw new AppError('image_expired', 'the uploaded video expired before a worker reached the job');
    const file = path.join(workDir, 'input');
    await fs.writeFile(file, bytes);
    // One deadline for the attempt: each ffmpeg gets what is left of it.
    const deadline = Date.now() + video.timeoutMs;
    const left = () => Math.max(1, deadline - Date.now());
    const run = { signal: controller.signal, timeoutMs: left() };
    const probe = await probeVideo(video.ffprobe, file, run);
    const { fps, maxFrames } = sampling.data;
    const planned = plannedFrames(probe, {
      fps,
      maxFrames,
      maxDurationSec: video.maxDurationSec,
      maxPixels: video.maxPixels,
    });
    await job.updateProgress({ stage: 'inference', percent: 5, framesDone: 0, framesTotal: planned });

    const inferStart = performance.now();
    let resumedAt = 0;
    const model = await detectVideoFrames(
      { file, probe, planned, fps, analyze },
      {
        ffmpeg: video.ffmpeg,
        store,
        signal: controller.signal,
        timeoutMs: left(),
        chunkFrames: video.chunkFrames,
        onProgress: (done, total) =>
          job.updateProgress({
            stage: 'inference',
            percent: 5 + Math.floor((85 * done) / total),
            framesDone: done,
            framesTotal: total,
          }),
        onResume: (next) => {
          resumedAt = next;
          log.info('resuming video from the last stored chunk', { nextFrame: next, planned });
        },
      },
    );
    const inferMs = performance.now() - inferStart;
    const frames = await store.frames();
    if (frames.length === 0) throw new AppError('invalid_video', 'no frame could be decoded from the video');
    await job.updateProgress({
      stage: 'rendering',
      percent: 90,
      framesDone: frames.length,
      framesTotal: planned,
    });
    const renderStart = performance.now();
    const artifacts = await renderVideoArtifacts({
      ffmpeg: video.ffmpeg,
      file,
      probe,
      fps,
      frames,
      workDir,
      signal: controller.signal,
      timeoutMs: left(),
    });
    const result: VideoResult = {
      media: 'video',
      video: {
        width: probe.width,
        height: probe.height,
        durationSec: probe.durationSec,
        sourceFps: probe.fps,
        fps,
        frameCount: frames.length,
        codec: probe.codec,
      },
      frames,
      tracks: summarizeTracks(frames),
      model: model ?? { id: data.modelId, sha256: '' },
      artifacts: Object.keys(artifacts),
      timings: {
        inferMs: Math.round(inferMs),
        renderMs: Math.round(performance.now() - renderStart),
        totalMs: Math.round(performance.now() - started),
        framesPerSecond: Math.round(((frames.length - resumedAt) / Math.max(inferMs, 1)) * 1000 * 10) / 10,
        resumedAtFrame: resumedAt,
        ...(job.processedOn ? { queueWaitMs: Math.max(0, job.processedOn - job.timestamp) } : {}),
      },
    };
    for (const [name, buf] of Object.entries(artifacts)) {
      await deps.results.putArtifact(data.resultKey, name, buf, deps.resultTtlSeconds);
    }
    await deps.results.put(data.resultKey, result, deps.resultTtlSeconds);
    await Promise.all([deps.uploads.delete(data.blobKey), store.clear()]);
    await job.updateProgress({
      stage: 'done',
      percent: 100,
      framesDone: frames.length,
      framesTotal: planned,
    });
    await deps.events.ended(completedSnapshot(job));
    log.info('video job done', result.timings);
    return { resultKey: data.resultKey, timings: result.timings };
  } catch (err) {
    // Shutdown: the worker hands the job back to its queue (worker-app.ts), no attempt used;
    // its chunks stay for the worker that resumes it.
    if (
      video?.stopping.aborted &&
      controller.signal.aborted &&
      controller.signal.reason === video.stopping.reason
    )
      throw err;
    const failure = toJobFailure(err);
    log.warn('video job failed', { reason: failure.message, attempt: job.attemptsMade + 1 });
    const final = failure instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    if (final) {
      // Nothing of a job that will not run again stays in Redis: chunks, upload, cancel flag.
      await Promise.all([
        store?.clear(),
        deps.uploads.delete(job.data.blobKey),
        deps.cancels.clear(jobId),
      ]).catch((e: Error) => log.warn('could not clear the video job keys', { err: e.message }));
      await deps.events
        .ended(failedSnapshot(job, failure.message))
        .catch((e: Error) => log.warn('could not queue failure callbacks', { err: e.message }));
    }
    throw failure;
  } finally {
    clearInterval(cancelWatch);
    video?.stopping.removeEventListener('abort', onStop);
    await fs.rm(workDir, { recursive: true, force: true });
  }
}
