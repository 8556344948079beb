/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/** The controls the video and the live-stream views share, and how they report. */
import { ArgusError } from './api.client.js';
import { h } from './dom.js';

/** The tasks a video job or a stream can run. */
export function taskSelect(id: string): HTMLSelectElement {
  return h('select', { id }, [
    h('option', { value: 'detect', selected: true }, ['Detect objects']),
    h('option', { value: 'parse' }, ['Parse people']),
  ]);
}

/** Frames per second to sample (default 2, the API's default for streams). */
export function fpsInput(id: string, max: number): HTMLInputElement {
  return h('input', { type: 'number', id, min: 0.1, max, step: 0.1, value: 2 });
}

/** A status line that is also announced to screen readers. */
export function statusLine(id: string, announce: (text: string) => void) {
  const el = h('p', { id, class: 'hint', role: 'status' });
  return {
    el,
    say(text: string): void {
      el.textContent = text;
      announce(text);
    },
  };
}

/** An API refusal as `code: message`; anything else as its text. */
export function failureText(err: unknown): string {
  return err instanceof ArgusError ? `${err.code}: ${err.message}` : String(err);
}
