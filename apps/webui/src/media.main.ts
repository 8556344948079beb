/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The page's video and live-stream views, a module of their own beside main.ts: it shares
 * the API client (and so the API key the options panel sets) and fills `#media`.
 */
import { byId } from './dom.js';
import { StreamView } from './stream.view.js';
import { VideoView } from './video.view.js';

const announcer = byId('announcer');
const announce = (text: string) => {
  announcer.textContent = text;
};
new VideoView(byId('video-panel'), announce);
new StreamView(byId('stream-panel'), announce);
