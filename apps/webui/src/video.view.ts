/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * Video jobs in the page: upload a video (`POST /v1/jobs`, task and sampling rate), follow
 * it through its event stream, then play the annotated MP4 with a timeline of its tracks:
 * one bar per track from first to last seen; a click on a bar seeks to where it was seen.
 */
import { fetchImage, followJob, submitJob, type JobView } from './api.client.js';
import { h } from './dom.js';
import { failureText, fpsInput, statusLine, taskSelect } from './media.controls.js';

/** The part of a video result the timeline needs (`VideoResult` in packages/contracts). */
interface VideoTracks {
  video: { durationSec: number; frameCount: number };
  tracks: Array<{
    trackId: number;
    label: string;
    firstSeenSec: number;
    lastSeenSec: number;
    frames: number;
  }>;
}

const VIDEO_TYPES = 'video/mp4,video/webm,video/quicktime,video/x-matroska,.mkv';

export class VideoView {
  private readonly file = h('input', { type: 'file', id: 'video-file', accept: VIDEO_TYPES });
  private readonly task = taskSelect('video-task');
  private readonly fps = fpsInput('video-fps', 60);
  private readonly submit = h('button', { type: 'button', id: 'video-submit', class: 'primary' }, [
    'Upload video',
  ]);
  private readonly status: ReturnType<typeof statusLine>;
  private readonly player = h('video', { id: 'video-player', controls: true, hidden: true, preload: 'auto' });
  private readonly timeline = h('div', { id: 'video-timeline', class: 'timeline', role: 'list' });
  private playerUrl: string | undefined;

  constructor(root: HTMLElement, announce: (text: string) => void) {
    this.status = statusLine('video-status', announce);
    root.append(
      h('h2', { id: 'video-title' }, ['Video']),
      h('div', { class: 'media-controls' }, [
        h('label', { for: 'video-file' }, ['Video file']),
        this.file,
        h('label', { for: 'video-task' }, ['Task']),
        this.task,
        h('label', { for: 'video-fps' }, ['Frames per second']),
        this.fps,
        this.submit,
      ]),
      this.status.el,
      this.player,
      this.timeline,
    );
    this.submit.addEventListener('click', () => void this.run());
    this.player.addEventListener('timeupdate', () => this.markPlayhead());
  }

  private say(text: string): void {
    this.status.say(text);
  }

  private async run(): Promise<void> {
    const file = this.file.files?.[0];
    if (!file) return this.say('Choose a video first.');
    this.submit.disabled = true;
    try {
      const fields: [string, string][] = [
        ['task', this.task.value],
        ['fps', this.fps.value],
      ];
      const job = await submitJob(file, file.name, fields);
      this.status.el.dataset.jobId = job.id;
      this.say(`Video job ${job.id} queued`);
      const final = await followJob(job.id, (v) => this.say(progressText(v)));
      if (final.status !== 'completed') {
        return this.say(`The video job ${final.status}: ${final.error?.message ?? ''}`);
      }
      await this.show(final);
    } catch (err) {
      this.say(failureText(err));
    } finally {
      this.submit.disabled = false;
    }
  }

  private async show(job: JobView): Promise<void> {
    const result = job.result as VideoTracks;
    const link = (job.links as { video?: string }).video;
    if (link) {
      if (this.playerUrl) URL.revokeObjectURL(this.playerUrl);
      this.playerUrl = URL.createObjectURL(await fetchImage(link, 'video/mp4'));
      this.player.src = this.playerUrl;
      this.player.hidden = false;
    }
    this.renderTimeline(result);
    this.say(`Done: ${result.video.frameCount} frames, ${result.tracks.length} tracks`);
  }

  private renderTimeline(result: VideoTracks): void {
    const duration = Math.max(result.video.durationSec, 0.001);
    const pct = (sec: number) => `${Math.min(100, Math.max(0, (sec / duration) * 100))}%`;
    const rows = result.tracks.map((t) => {
      const bar = h(
        'button',
        {
          type: 'button',
          class: 'track-bar',
          'data-track-id': t.trackId,
          'data-start': t.firstSeenSec,
          title: `${t.label} #${t.trackId}: ${t.firstSeenSec.toFixed(1)}–${t.lastSeenSec.toFixed(1)} s, ${t.frames} frames`,
        },
        [`${t.label} #${t.trackId}`],
      );
      // CSSOM, not a style attribute: the page's CSP allows no inline styles.
      bar.style.left = pct(t.firstSeenSec);
      bar.style.width = `max(${pct(t.lastSeenSec - t.firstSeenSec)}, 4px)`;
      bar.addEventListener('click', (e) => {
        // Seek to the clicked point of the bar (its start for a click on the label's edge).
        const rect = bar.getBoundingClientRect();
        const along = rect.width > 0 ? (e.clientX - rect.left) / rect.width : 0;
        const span = t.lastSeenSec - t.firstSeenSec;
        this.player.currentTime = t.firstSeenSec + Math.min(1, Math.max(0, along)) * span;
        this.markPlayhead();
      });
      return h('div', { class: 'track-row', role: 'listitem' }, [bar]);
    });
    const head = h('div', { class: 'playhead', 'aria-hidden': 'true' });
    this.timeline.replaceChildren(head, ...rows);
    this.timeline.dataset.tracks = String(result.tracks.length);
    this.timeline.dataset.duration = String(duration);
  }

  private markPlayhead(): void {
    const head = this.timeline.querySelector<HTMLElement>('.playhead');
    const duration = Number(this.timeline.dataset.duration);
    if (!head || !duration) return;
    head.style.left = `${Math.min(100, (this.player.currentTime / duration) * 100)}%`;
    this.timeline.dataset.time = this.player.currentTime.toFixed(2);
  }
}

function progressText(view: JobView): string {
  return `${view.status} · ${view.progress.stage} ${Math.round(view.progress.percent)}%`;
}
