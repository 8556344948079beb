/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The result panel: the selected job's live state, its error in plain words, or its result
 * (detect or parse view) with downloads and the `curl` commands that reproduce it.
 */
import { ArgusError, fetchImage, hasApiKey, type JobView } from './api.client.js';
import { pollCommand, submitCommand } from './curl-command.js';
import type { ResultView } from './detect.view.js';
import { copyText, downloadBlob, h, loadImage } from './dom.js';
import { plainError, type ApiFailure } from './error-messages.js';
import type { HistoryEntry } from './history.store.js';
import { statusText } from './job-list.js';
import { TASK_TITLES } from './options.catalog.js';
import { createResultView } from './result-views.js';

export interface PanelContext {
  origin: string;
  /** The photo of an entry, from memory or this browser's store. */
  photo(key: string): Promise<Blob | null>;
  announce(text: string): void;
}

export class ResultPanel {
  private shownState = '';
  private generation = 0;
  private urls: string[] = [];
  private progress: { label: HTMLElement; bar: HTMLProgressElement } | null = null;

  constructor(
    private readonly body: HTMLElement,
    private readonly ctx: PanelContext,
  ) {}

  placeholder(): void {
    this.reset('');
    this.body.replaceChildren(
      h('h2', { id: 'result-title' }, ['Result']),
      h('p', { class: 'placeholder' }, ['Drop, choose or paste a photo: its job and result appear here.']),
    );
  }

  /**
   * Shows `entry`. While its state is unchanged only the progress is updated, so a poll
   * never rebuilds the view under the user's pointer. `view` is the job as last read, or the
   * API's refusal when it could not be read.
   */
  async show(entry: HistoryEntry, view: JobView | ArgusError | undefined): Promise<void> {
    const state = `${entry.key}:${entry.status}:${view ? 'view' : ''}`;
    if (state === this.shownState) {
      this.updateProgress(entry);
      return;
    }
    const generation = this.reset(state);
    const head = this.head(entry, view instanceof ArgusError ? undefined : view);
    const curl = this.curl(entry);

    if (entry.status === 'failed' || entry.status === 'canceled') {
      this.body.replaceChildren(
        head,
        this.errorBox(entry.error ?? { status: 0, code: 'canceled', message: '' }),
        curl,
      );
      return;
    }
    if (entry.status !== 'completed') {
      const label = h('span', { class: 'state-label' }, [statusText(entry)]);
      const bar = h('progress', { max: 100, 'aria-label': 'Progress' });
      this.progress = { label, bar };
      this.updateProgress(entry);
      this.body.replaceChildren(
        head,
        h('div', { class: 'job-state', 'data-status': entry.status }, [
          label,
          bar,
          h('p', { class: 'hint' }, [
            'A queued job waits for a free worker. This page asks the API for the job’s state every half second.',
          ]),
        ]),
        curl,
      );
      return;
    }
    if (!view) {
      this.body.replaceChildren(
        head,
        h('p', { class: 'placeholder' }, ['Reading the result from the API…']),
        curl,
      );
      return;
    }
    if (view instanceof ArgusError || view.result === undefined) {
      const failure =
        view instanceof ArgusError
          ? view
          : { status: 410, code: view.error?.code ?? 'result_expired', message: view.error?.message ?? '' };
      this.body.replaceChildren(head, this.errorBox(failure), curl);
      return;
    }

    const drawing = h('p', { class: 'placeholder' }, ['Drawing the result…']);
    this.body.replaceChildren(head, drawing, curl);
    let result: ResultView;
    try {
      result = await this.resultView(entry, view);
    } catch (err) {
      if (generation !== this.generation) return;
      drawing.replaceWith(
        this.errorBox({
          status: 0,
          code: 'render',
          message: `the result cannot be drawn: ${(err as Error).message}`,
        }),
      );
      return;
    }
    if (generation !== this.generation) return;
    drawing.replaceWith(result.element, this.downloads(entry, view, result));
  }

  private reset(state: string): number {
    this.shownState = state;
    this.progress = null;
    for (const url of this.urls) URL.revokeObjectURL(url);
    this.urls = [];
    return ++this.generation;
  }

  private updateProgress(entry: HistoryEntry): void {
    if (!this.progress) return;
    this.progress.label.textContent = statusText(entry);
    if (entry.status === 'active') this.progress.bar.value = Math.max(2, entry.progress?.percent ?? 0);
    else this.progress.bar.removeAttribute('value'); // indeterminate while queued or uploading
  }

  private head(entry: HistoryEntry, view: JobView | undefined): HTMLElement {
    const parts = [TASK_TITLES[entry.task], entry.model];
    if (view?.cached) parts.push('from the result cache');
    else if (entry.status === 'completed' && view?.timings.totalMs !== undefined)
      parts.push(`done in ${(view.timings.totalMs / 1000).toFixed(1)} s`);
    return h('header', { class: 'result-head' }, [
      h('h2', { id: 'result-title' }, [entry.fileName]),
      h('p', { class: 'meta' }, [parts.join(' · ')]),
      entry.jobId ? h('p', { class: 'meta mono' }, [`job ${entry.jobId}`]) : null,
    ]);
  }

  private errorBox(failure: ApiFailure): HTMLElement {
    const { title, detail } = plainError(failure);
    this.ctx.announce(title);
    return h('div', { class: 'error-box', role: 'alert', 'data-code': failure.code }, [
      h('p', { class: 'error-title' }, [title]),
      detail ? h('p', {}, [detail]) : null,
      h('p', { class: 'muted mono' }, [
        `${failure.status ? `HTTP ${failure.status} · ` : ''}${failure.code}`,
      ]),
    ]);
  }

  /** A blob URL for `blob`, revoked when the panel shows something else. */
  private urlOf(blob: Blob): string {
    const url = URL.createObjectURL(blob);
    this.urls.push(url);
    return url;
  }

  private async resultView(entry: HistoryEntry, view: JobView): Promise<ResultView> {
    const blob = await this.ctx.photo(entry.key);
    const photo = blob ? await loadImage(this.urlOf(blob)).catch(() => null) : null;
    // Images come through fetch (not <img src>), so an API key, when set, goes along.
    const image = async (link: string | undefined) =>
      link ? this.urlOf(await fetchImage(link).catch(() => new Blob())) : undefined;
    return createResultView({ entry, view, photo, image });
  }

  private downloads(entry: HistoryEntry, view: JobView, result: ResultView): HTMLElement {
    const base = entry.fileName.replace(/\.[^.]*$/, '') || 'photo';
    const json = h('button', { type: 'button', class: 'button' }, ['Result JSON']);
    json.addEventListener('click', () =>
      downloadBlob(
        new Blob([JSON.stringify(view, null, 2)], { type: 'application/json' }),
        `${base}.${view.task}.json`,
      ),
    );
    const png = h('button', { type: 'button', class: 'button' }, [
      view.task === 'detect'
        ? 'Photo with boxes (PNG)'
        : view.task === 'segment'
          ? 'Photo with masks (PNG)'
          : 'Overlay as shown (PNG)',
    ]);
    png.addEventListener('click', () => {
      result
        .png()
        .then((blob) => downloadBlob(blob, `${base}.${view.task === 'detect' ? 'boxes' : 'overlay'}.png`))
        .catch((err: Error) => this.ctx.announce(`The PNG could not be made: ${err.message}`));
    });
    const serverImage = (link: string | undefined, text: string, name: string) => {
      if (!link) return null;
      const button = h('button', { type: 'button', class: 'button', 'data-link': link }, [text]);
      button.addEventListener('click', () => {
        fetchImage(link)
          .then((blob) => downloadBlob(blob, `${base}.${name}`))
          .catch((err: Error) => this.ctx.announce(`The download failed: ${err.message}`));
      });
      return button;
    };
    return h('div', { class: 'downloads' }, [
      h('h3', {}, ['Download']),
      h('div', { class: 'button-row' }, [
        json,
        png,
        serverImage(view.links.overlay, 'Server overlay.png', 'server-overlay.png'),
        serverImage(view.links.labels, 'labels.png (part ids)', 'labels.png'),
      ]),
    ]);
  }

  private curl(entry: HistoryEntry): HTMLElement {
    const withKey = hasApiKey();
    const submit = submitCommand(this.ctx.origin, entry.fields, entry.fileName, withKey);
    const copy = h('button', { type: 'button', class: 'button', 'aria-describedby': 'curl-submit' }, [
      'Copy curl command',
    ]);
    copy.addEventListener('click', () => {
      void copyText(submit).then((ok) => {
        copy.textContent = ok ? 'Copied' : 'Select and copy the text';
        this.ctx.announce(ok ? 'The curl command is on the clipboard.' : 'Copying failed.');
        setTimeout(() => (copy.textContent = 'Copy curl command'), 2000);
      });
    });
    return h('section', { class: 'curl', 'aria-labelledby': 'curl-title' }, [
      h('div', { class: 'section-head' }, [h('h3', { id: 'curl-title' }, ['Same request with curl']), copy]),
      h('pre', {}, [h('code', { id: 'curl-submit' }, [submit])]),
      entry.jobId
        ? h('pre', {}, [
            h('code', {}, [
              `${pollCommand(this.ctx.origin, entry.jobId, withKey)}   # the job's state and result`,
            ]),
          ])
        : null,
    ]);
  }
}
