/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/** The "Recent jobs" list: one button per upload, updated in place so focus survives polls. */
import { plainError } from './error-messages.js';
import type { HistoryEntry } from './history.store.js';
import { h } from './dom.js';
import { TASK_TITLES } from './options.catalog.js';

/** A few words for an entry's state, as the list and the result panel show it. */
export function statusText(entry: HistoryEntry): string {
  switch (entry.status) {
    case 'uploading':
      return 'Uploading…';
    case 'queued':
      return 'Queued';
    case 'active': {
      const p = entry.progress;
      return p && p.percent > 0 ? `Running · ${p.stage} ${Math.round(p.percent)}%` : 'Running';
    }
    case 'completed':
      return entry.summary ? `Done · ${entry.summary}` : 'Done';
    case 'failed':
      return entry.error ? `Failed · ${plainError(entry.error).title}` : 'Failed';
    case 'canceled':
      return 'Canceled';
    default:
      return entry.status;
  }
}

export class JobList {
  private readonly items = new Map<string, { li: HTMLLIElement; button: HTMLButtonElement }>();

  constructor(
    private readonly list: HTMLOListElement,
    private readonly empty: HTMLElement,
    private readonly onSelect: (key: string) => void,
  ) {}

  /** Brings the list in line with `entries` (newest first) and marks `selected`. */
  render(entries: readonly HistoryEntry[], selected: string | null): void {
    const keep = new Set(entries.map((e) => e.key));
    for (const [key, item] of this.items) {
      if (!keep.has(key)) {
        item.li.remove();
        this.items.delete(key);
      }
    }
    entries.forEach((entry, index) => {
      let item = this.items.get(entry.key);
      if (!item) {
        const button = h('button', { type: 'button', class: 'job' });
        button.addEventListener('click', () => this.onSelect(entry.key));
        item = { li: h('li', {}, [button]), button };
        this.items.set(entry.key, item);
      }
      this.fill(item.button, entry, entry.key === selected);
      if (this.list.children[index] !== item.li)
        this.list.insertBefore(item.li, this.list.children[index] ?? null);
    });
    this.empty.hidden = entries.length > 0;
  }

  private fill(button: HTMLButtonElement, entry: HistoryEntry, selected: boolean): void {
    // Polls call this twice a second; rebuild an item only when what it shows has changed.
    const shown = JSON.stringify([
      entry.status,
      entry.progress,
      entry.summary,
      entry.thumb,
      entry.jobId,
      selected,
    ]);
    if (button.dataset.shown === shown) return;
    button.dataset.shown = shown;
    button.dataset.key = entry.key;
    button.dataset.status = entry.status;
    if (entry.jobId) button.dataset.jobId = entry.jobId;
    if (selected) button.setAttribute('aria-current', 'true');
    else button.removeAttribute('aria-current');
    const when = new Date(entry.submittedAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    const thumb = entry.thumb
      ? h('img', { class: 'thumb', src: entry.thumb, alt: '' })
      : h('span', { class: 'thumb', 'aria-hidden': 'true' });
    const progress =
      entry.status === 'active' || entry.status === 'queued' || entry.status === 'uploading'
        ? h('span', { class: 'bar', 'aria-hidden': 'true' }, [h('span', { class: 'fill' })])
        : null;
    if (progress) {
      const fill = progress.firstElementChild as HTMLElement;
      fill.style.width = `${entry.status === 'active' ? Math.max(5, entry.progress?.percent ?? 0) : 0}%`;
      if (entry.status !== 'active') progress.classList.add('waiting');
    }
    button.replaceChildren(
      thumb,
      h('span', { class: 'job-main' }, [
        h('span', { class: 'job-name' }, [entry.fileName]),
        h('span', { class: 'job-meta' }, [`${TASK_TITLES[entry.task]} · ${entry.model} · ${when}`]),
        h('span', { class: `job-status status-${entry.status}` }, [statusText(entry)]),
        progress,
      ]),
    );
  }
}
