/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * Live streams in the page: register a camera URL (`POST /v1/streams`), list the caller's
 * streams, and watch one: its events arrive over the WebSocket twin of
 * `/v1/streams/:id/events` (the key offered as a subprotocol: browsers cannot set headers
 * there), and each event's boxes are drawn over the latest frame (`/v1/streams/:id/frame`).
 */
import { currentApiKey, request, send } from './api.client.js';
import { boxColour } from './box-colours.js';
import { h } from './dom.js';
import { failureText, fpsInput, statusLine, taskSelect } from './media.controls.js';

interface StreamSummary {
  id: string;
  url: string;
  task: string;
  state: string;
}

interface FrameEvent {
  seq: number;
  width: number;
  height: number;
  detections: Array<{
    label: string;
    classId: number;
    confidence: number;
    trackId: number | null;
    box: { x1: number; y1: number; x2: number; y2: number };
  }>;
}

/** Events kept to match the frame the gateway answers with (it may be a few events ahead). */
const KEEP_EVENTS = 30;

export class StreamView {
  private readonly url = h('input', {
    type: 'url',
    id: 'stream-url',
    placeholder: 'rtsp://camera.local/stream',
  });
  private readonly task = taskSelect('stream-task');
  private readonly fps = fpsInput('stream-fps', 30);
  private readonly add = h('button', { type: 'button', id: 'stream-add', class: 'primary' }, ['Add stream']);
  private readonly refresh = h('button', { type: 'button', id: 'stream-refresh', class: 'link' }, [
    'Refresh',
  ]);
  private readonly list = h('ul', { id: 'stream-list', class: 'stream-list' });
  private readonly status: ReturnType<typeof statusLine>;
  private readonly canvas = h('canvas', { id: 'stream-canvas', class: 'stream-canvas', hidden: true });
  private socket: WebSocket | undefined;
  private readonly events = new Map<number, FrameEvent>();
  private fetching = false;
  private pending = false;

  constructor(root: HTMLElement, announce: (text: string) => void) {
    this.status = statusLine('stream-status', announce);
    root.append(
      h('h2', { id: 'stream-title' }, ['Live streams']),
      h('div', { class: 'media-controls' }, [
        h('label', { for: 'stream-url' }, ['Camera URL']),
        this.url,
        h('label', { for: 'stream-task' }, ['Task']),
        this.task,
        h('label', { for: 'stream-fps' }, ['Frames per second']),
        this.fps,
        this.add,
        this.refresh,
      ]),
      this.list,
      this.status.el,
      this.canvas,
    );
    this.add.addEventListener('click', () => void this.register());
    this.refresh.addEventListener('click', () => void this.load());
    void this.load();
  }

  private say(text: string): void {
    this.status.say(text);
  }

  private async register(): Promise<void> {
    try {
      const created = (await request('/v1/streams', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          url: this.url.value.trim(),
          task: this.task.value,
          fps: Number(this.fps.value),
        }),
      })) as StreamSummary;
      await this.load();
      this.watch(created.id);
    } catch (err) {
      this.say(failureText(err));
    }
  }

  async load(): Promise<void> {
    try {
      const { streams } = (await request('/v1/streams')) as { streams: StreamSummary[] };
      this.list.replaceChildren(
        ...streams.map((s) => {
          const watch = h('button', { type: 'button', class: 'link', 'data-watch': s.id }, ['Watch']);
          const remove = h('button', { type: 'button', class: 'link', 'data-delete': s.id }, ['Delete']);
          watch.addEventListener('click', () => this.watch(s.id));
          remove.addEventListener('click', () => void this.remove(s.id));
          return h('li', { 'data-stream-id': s.id }, [
            h('code', {}, [s.url]),
            ` · ${s.task} · ${s.state} `,
            watch,
            remove,
          ]);
        }),
      );
    } catch (err) {
      this.say(failureText(err));
    }
  }

  private async remove(id: string): Promise<void> {
    try {
      await request(`/v1/streams/${encodeURIComponent(id)}`, { method: 'DELETE' });
      if (this.canvas.dataset.streamId === id) this.stop();
      await this.load();
    } catch (err) {
      this.say(failureText(err));
    }
  }

  private stop(): void {
    this.socket?.close(1000);
    this.socket = undefined;
    this.events.clear();
  }

  /** Follows one stream over the WebSocket; each frame event redraws the canvas. */
  watch(id: string): void {
    this.stop();
    this.canvas.dataset.streamId = id;
    this.canvas.dataset.frames = '0';
    const key = currentApiKey();
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/v1/streams/${encodeURIComponent(id)}/events`;
    const socket = new WebSocket(url, key ? ['argus.v1', `bearer.${key}`] : ['argus.v1']);
    this.socket = socket;
    this.say('Connecting…');
    socket.addEventListener('open', () => this.say('Waiting for frames…'));
    socket.addEventListener('message', (e: MessageEvent<string>) => {
      const message = JSON.parse(e.data) as { event: string; data?: FrameEvent };
      if (message.event === 'end') this.say('The stream was stopped.');
      if (message.event !== 'frame' || !message.data) return;
      this.events.set(message.data.seq, message.data);
      for (const seq of this.events.keys()) if (this.events.size > KEEP_EVENTS) this.events.delete(seq);
      void this.drawLatest(id);
    });
    socket.addEventListener('close', (e) => {
      if (this.socket === socket && e.code !== 1000) this.say(`Disconnected (${e.code} ${e.reason})`);
    });
  }

  /** One frame fetch at a time; events that arrive meanwhile are drawn by the next one. */
  private async drawLatest(id: string): Promise<void> {
    if (this.fetching) {
      this.pending = true;
      return;
    }
    this.fetching = true;
    try {
      do {
        this.pending = false;
        const res = await send(`/v1/streams/${encodeURIComponent(id)}/frame`, {}, 'image/jpeg');
        if (!res.ok) return;
        const seq = Number(res.headers.get('x-frame-seq'));
        const image = await createImageBitmap(await res.blob());
        if (this.canvas.dataset.streamId !== id) return;
        this.draw(image, this.events.get(seq) ?? [...this.events.values()].at(-1), seq);
      } while (this.pending);
    } catch (err) {
      this.say(failureText(err));
    } finally {
      this.fetching = false;
    }
  }

  private draw(image: ImageBitmap, event: FrameEvent | undefined, seq: number): void {
    const c = this.canvas;
    c.width = image.width;
    c.height = image.height;
    c.hidden = false;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(image, 0, 0);
    const detections = event?.detections ?? [];
    ctx.lineWidth = Math.max(2, Math.round(image.width / 320));
    ctx.font = `${Math.max(12, Math.round(image.width / 50))}px sans-serif`;
    for (const d of detections) {
      ctx.strokeStyle = boxColour(d.classId);
      ctx.strokeRect(d.box.x1, d.box.y1, d.box.x2 - d.box.x1, d.box.y2 - d.box.y1);
      const text = d.trackId === null ? d.label : `${d.label} #${d.trackId}`;
      ctx.fillStyle = ctx.strokeStyle;
      ctx.fillText(text, d.box.x1 + 3, Math.max(12, d.box.y1 - 4));
    }
    c.dataset.seq = String(seq);
    c.dataset.eventSeq = String(event?.seq ?? -1);
    c.dataset.boxes = String(detections.length);
    c.dataset.frames = String(Number(c.dataset.frames ?? 0) + 1);
    this.say(`Live · frame ${seq} · ${detections.length} boxes`);
  }
}
