/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The options form: task, model menu (the server's models, in manifest order, with their
 * state), the task's controls, the API key field; kept across reloads (options in
 * localStorage, the key only in sessionStorage).
 */
import type { ModelState } from './api.client.js';
import { setApiKey } from './api.client.js';
import { byId } from './dom.js';
import {
  DETECT_DEFAULTS,
  PARSE_DEFAULTS,
  defaultModel,
  modelsFor,
  submissionFields,
  type Fields,
  type Task,
} from './options.catalog.js';

const OPTIONS_KEY = 'argus.webui.options.v1';
/** sessionStorage: a key stays with this tab (and its reloads), never on disk for good. */
const API_KEY_KEY = 'argus.webui.apiKey';

function taskOf(value: unknown): Task {
  return value === 'parse' || value === 'segment' ? value : 'detect';
}

export class OptionsForm {
  private readonly form = byId<HTMLFormElement>('options');
  private readonly modelSelect = byId<HTMLSelectElement>('model');
  /** The manifest's models with their states, from `/readyz`. */
  private models: ModelState[] = [];
  private loaded: string[] = [];

  constructor() {
    this.form.addEventListener('change', (event) => {
      if ((event.target as HTMLInputElement).name === 'task') this.fillModels(this.task());
      this.showTaskControls();
      this.save();
    });
    this.form.addEventListener('input', () => this.showRangeValues());
    this.form.addEventListener('submit', (event) => event.preventDefault());
    byId('reset-options').addEventListener('click', () => this.reset());

    const apiKeyInput = byId<HTMLInputElement>('api-key');
    apiKeyInput.value = sessionStorage.getItem(API_KEY_KEY) ?? '';
    setApiKey(apiKeyInput.value);
    apiKeyInput.addEventListener('input', () => {
      setApiKey(apiKeyInput.value);
      if (apiKeyInput.value.trim()) sessionStorage.setItem(API_KEY_KEY, apiKeyInput.value.trim());
      else sessionStorage.removeItem(API_KEY_KEY);
    });
  }

  task(): Task {
    return taskOf((this.form.elements.namedItem('task') as RadioNodeList).value);
  }

  /** The fields a submission sends now, and the model it names. */
  submission(): { task: Task; fields: Fields; model: string } {
    const task = this.task();
    const fields = submissionFields(task, this.values(), this.models);
    const model = fields.find(([name]) => name === 'model')?.[1] || defaultModel(this.models, task);
    return { task, fields, model };
  }

  /** New model states from `/readyz`; the menu is rebuilt only when something changed. */
  setModels(states: ModelState[], loaded: string[]): void {
    const key = (list: ModelState[], ids: string[]) =>
      `${list.map((m) => `${m.id}:${m.status}`).join()}|${ids.join()}`;
    if (key(states, loaded) === key(this.models, this.loaded)) return;
    this.models = states;
    this.loaded = loaded;
    this.fillModels(this.task(), this.modelSelect.value);
  }

  restore(): void {
    let saved: Record<string, string> = {};
    try {
      saved = JSON.parse(localStorage.getItem(OPTIONS_KEY) ?? '{}') as Record<string, string>;
    } catch {
      saved = {};
    }
    const task: Task = taskOf(saved.task);
    for (const radio of this.form.querySelectorAll<HTMLInputElement>('input[name=task]'))
      radio.checked = radio.value === task;
    for (const [name, value] of Object.entries(saved)) {
      const el = this.control(name);
      if (!el || name === 'model' || typeof value !== 'string') continue;
      if (el instanceof HTMLInputElement && el.type === 'checkbox') el.checked = value === 'true';
      else el.value = value;
    }
    this.fillModels(task, saved[`model`]);
    this.showTaskControls();
    this.showRangeValues();
  }

  private reset(): void {
    const defaults: Record<string, string | number | boolean> = { ...DETECT_DEFAULTS, ...PARSE_DEFAULTS };
    for (const [name, value] of Object.entries(defaults)) {
      const el = this.control(name);
      if (!el) continue;
      if (el instanceof HTMLInputElement && el.type === 'checkbox') el.checked = value === true;
      else el.value = String(value);
    }
    this.fillModels(this.task());
    this.showRangeValues();
    this.save();
  }

  private control(name: string): HTMLInputElement | HTMLSelectElement | null {
    const el = this.form.elements.namedItem(name);
    return el instanceof HTMLInputElement || el instanceof HTMLSelectElement ? el : null;
  }

  private values(): Record<string, string> {
    const values: Record<string, string> = {};
    for (const name of ['model', ...Object.keys(DETECT_DEFAULTS), ...Object.keys(PARSE_DEFAULTS)]) {
      const el = this.control(name);
      if (!el) continue;
      values[name] = el instanceof HTMLInputElement && el.type === 'checkbox' ? String(el.checked) : el.value;
    }
    return values;
  }

  private fillModels(task: Task, wanted?: string): void {
    const choices = modelsFor(this.models, task);
    this.modelSelect.replaceChildren(
      ...choices.map((m) => {
        const state = this.models.find((s) => s.id === m.id);
        // A model this server could not install cannot be picked; its tooltip says why.
        const absent = state?.status === 'missing';
        const unloaded = this.loaded.length > 0 && !this.loaded.includes(m.id);
        const note = absent ? ' · not installed' : unloaded ? ' · not loaded' : '';
        const option = new Option(`${m.id}${m.default ? ' (default)' : ''}${note}`, m.id, false, false);
        option.disabled = absent;
        if (absent && state?.reason) option.title = state.reason;
        return option;
      }),
    );
    const pick = wanted && choices.some((m) => m.id === wanted) ? wanted : defaultModel(this.models, task);
    this.modelSelect.value = pick;
  }

  private showTaskControls(): void {
    const task = this.task();
    // data-task lists the tasks a control serves ("detect segment").
    for (const el of this.form.querySelectorAll<HTMLElement>('[data-task]'))
      el.hidden = !(el.dataset.task ?? '').split(' ').includes(task);
  }

  private showRangeValues(): void {
    for (const range of this.form.querySelectorAll<HTMLInputElement>('input[type=range]')) {
      const output = this.form.querySelector<HTMLOutputElement>(`output[for="${range.id}"]`);
      if (output) output.textContent = `${Math.round(Number(range.value) * 100)}%`;
    }
  }

  private save(): void {
    try {
      localStorage.setItem(OPTIONS_KEY, JSON.stringify({ task: this.task(), ...this.values() }));
    } catch {
      // not essential
    }
  }
}
