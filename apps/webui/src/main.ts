/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The page: take photos (drop, file dialog, paste), submit one job each through the public
 * API, follow their event streams, keep a local history, and show the selected job's result.
 */
import {
  ApiError,
  TERMINAL_STATUSES,
  followJob,
  getJob,
  getReadiness,
  setApiKey,
  submitJob,
  type JobView,
  type ModelState,
} from './api.client.js';
import { byId } from './dom.js';
import {
  deletePhotos,
  getPhoto,
  loadEntries,
  newKey,
  putPhoto,
  saveEntries,
  storablePhoto,
  thumbnail,
  type HistoryEntry,
} from './history.store.js';
import { JobList, statusText } from './job-list.js';
import {
  DETECT_DEFAULTS,
  PARSE_DEFAULTS,
  defaultModel,
  modelsFor,
  submissionFields,
  type Task,
} from './options.catalog.js';
import { ResultPanel } from './result.panel.js';

/** After a stream gives up (the gateway unreachable for a while), try again this much later. */
const REFOLLOW_MS = 5000;
const READINESS_MS = 10_000;
const OPTIONS_KEY = 'argus.webui.options.v1';
/** sessionStorage: a key stays with this tab (and its reloads), never on disk for good. */
const API_KEY_KEY = 'argus.webui.apiKey';

const form = byId<HTMLFormElement>('options');
const modelSelect = byId<HTMLSelectElement>('model');
const fileInput = byId<HTMLInputElement>('file-input');
const dropZone = byId('drop-zone');
const announcer = byId('announcer');
const readinessPill = byId('readiness');

let entries: HistoryEntry[] = loadEntries();
let selected: string | null = null;
/** Photos of this session's uploads (the store holds them across reloads). */
const photos = new Map<string, Blob>();
/** The last read of each job. */
const views = new Map<string, JobView | ApiError>();
let loadedModels: string[] = [];
let modelStates: ModelState[] = [];

const announce = (text: string) => {
  announcer.textContent = text;
};

const panel = new ResultPanel(byId('result-body'), {
  origin: location.origin,
  photo: async (key) => photos.get(key) ?? (await getPhoto(key)),
  announce,
});
const jobList = new JobList(byId<HTMLOListElement>('job-list'), byId('jobs-empty'), (key) =>
  select(key, true),
);

// ---------------------------------------------------------------------------------------------
// Options

function currentTask(): Task {
  return taskOf((form.elements.namedItem('task') as RadioNodeList).value);
}

function taskOf(value: unknown): Task {
  return value === 'parse' || value === 'segment' ? value : 'detect';
}

function control(name: string): HTMLInputElement | HTMLSelectElement | null {
  const el = form.elements.namedItem(name);
  return el instanceof HTMLInputElement || el instanceof HTMLSelectElement ? el : null;
}

function formValues(): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of ['model', ...Object.keys(DETECT_DEFAULTS), ...Object.keys(PARSE_DEFAULTS)]) {
    const el = control(name);
    if (!el) continue;
    values[name] = el instanceof HTMLInputElement && el.type === 'checkbox' ? String(el.checked) : el.value;
  }
  return values;
}

function fillModels(task: Task, wanted?: string): void {
  const choices = modelsFor(task);
  modelSelect.replaceChildren(
    ...choices.map((m) => {
      const missing = loadedModels.length > 0 && !loadedModels.includes(m.id);
      // A model this server could not install cannot be picked; its tooltip says why.
      const absent = modelStates.find((s) => s.id === m.id && s.status === 'missing');
      const state = absent ? ' · not installed' : missing ? ' · not loaded' : '';
      const option = new Option(
        `${m.id} (${m.note}${m.default ? ', default' : ''})${state}`,
        m.id,
        false,
        false,
      );
      option.disabled = Boolean(absent);
      if (absent?.reason) option.title = absent.reason;
      return option;
    }),
  );
  const pick = wanted && choices.some((m) => m.id === wanted) ? wanted : defaultModel(task);
  modelSelect.value = pick;
}

function showTaskControls(): void {
  const task = currentTask();
  // data-task lists the tasks a control serves ("detect segment").
  for (const el of form.querySelectorAll<HTMLElement>('[data-task]'))
    el.hidden = !(el.dataset.task ?? '').split(' ').includes(task);
}

function showRangeValues(): void {
  for (const range of form.querySelectorAll<HTMLInputElement>('input[type=range]')) {
    const output = form.querySelector<HTMLOutputElement>(`output[for="${range.id}"]`);
    if (output) output.textContent = `${Math.round(Number(range.value) * 100)}%`;
  }
}

function saveOptions(): void {
  try {
    localStorage.setItem(OPTIONS_KEY, JSON.stringify({ task: currentTask(), ...formValues() }));
  } catch {
    // not essential
  }
}

function restoreOptions(): void {
  let saved: Record<string, string> = {};
  try {
    saved = JSON.parse(localStorage.getItem(OPTIONS_KEY) ?? '{}') as Record<string, string>;
  } catch {
    saved = {};
  }
  const task: Task = taskOf(saved.task);
  for (const radio of form.querySelectorAll<HTMLInputElement>('input[name=task]'))
    radio.checked = radio.value === task;
  for (const [name, value] of Object.entries(saved)) {
    const el = control(name);
    if (!el || name === 'model' || typeof value !== 'string') continue;
    if (el instanceof HTMLInputElement && el.type === 'checkbox') el.checked = value === 'true';
    else el.value = value;
  }
  fillModels(task, saved[`model`]);
  showTaskControls();
  showRangeValues();
}

function resetOptions(): void {
  const defaults: Record<string, string | number | boolean> = { ...DETECT_DEFAULTS, ...PARSE_DEFAULTS };
  for (const [name, value] of Object.entries(defaults)) {
    const el = control(name);
    if (!el) continue;
    if (el instanceof HTMLInputElement && el.type === 'checkbox') el.checked = value === true;
    else el.value = String(value);
  }
  fillModels(currentTask());
  showRangeValues();
  saveOptions();
}

form.addEventListener('change', (event) => {
  if ((event.target as HTMLInputElement).name === 'task') fillModels(currentTask());
  showTaskControls();
  saveOptions();
});
form.addEventListener('input', showRangeValues);
form.addEventListener('submit', (event) => event.preventDefault());
byId('reset-options').addEventListener('click', resetOptions);

const apiKeyInput = byId<HTMLInputElement>('api-key');
apiKeyInput.value = sessionStorage.getItem(API_KEY_KEY) ?? '';
setApiKey(apiKeyInput.value);
apiKeyInput.addEventListener('input', () => {
  setApiKey(apiKeyInput.value);
  if (apiKeyInput.value.trim()) sessionStorage.setItem(API_KEY_KEY, apiKeyInput.value.trim());
  else sessionStorage.removeItem(API_KEY_KEY);
});

// ---------------------------------------------------------------------------------------------
// History and selection

function persist(): void {
  const dropped = saveEntries(entries);
  if (dropped.length) {
    entries = entries.filter((e) => !dropped.includes(e.key));
    for (const key of dropped) {
      photos.delete(key);
      views.delete(key);
    }
    void deletePhotos(dropped);
  }
}

function refresh(): void {
  jobList.render(entries, selected);
  const entry = entries.find((e) => e.key === selected);
  if (entry) void panel.show(entry, views.get(entry.key));
  else panel.placeholder();
}

function select(key: string, userChoice = false): void {
  selected = key;
  const entry = entries.find((e) => e.key === key);
  refresh();
  if (entry?.status === 'completed' && entry.jobId && !views.has(key)) {
    // A job from an earlier visit: read it again (results live for RESULT_TTL_SECONDS).
    getJob(entry.jobId)
      .then((view) => views.set(key, view))
      .catch((err: unknown) =>
        views.set(key, err instanceof ApiError ? err : new ApiError(0, 'network', String(err))),
      )
      .finally(refresh);
  }
  if (userChoice && matchMedia('(max-width: 860px)').matches)
    byId('result').scrollIntoView({ block: 'start' });
}

function summarise(view: JobView): string | undefined {
  const result = view.result as { count?: number; numPersons?: number; partsDetected?: string[] } | undefined;
  if (!result) return undefined;
  if (view.task === 'detect') return `${result.count} object${result.count === 1 ? '' : 's'}`;
  if (view.task === 'segment') return `${result.count} instance${result.count === 1 ? '' : 's'}`;
  const people = result.numPersons ?? 0;
  return `${people} ${people === 1 ? 'person' : 'people'}, ${result.partsDetected?.length ?? 0} parts`;
}

function apply(entry: HistoryEntry, view: JobView): void {
  const before = entry.status;
  entry.jobId = view.id;
  entry.status = view.status;
  entry.progress = view.progress;
  entry.cached = view.cached;
  if (view.error) entry.error = { status: 0, ...view.error };
  if (view.status === 'completed') {
    entry.summary = summarise(view);
    entry.finishedMs = view.timings.totalMs;
  }
  views.set(entry.key, view);
  if (before !== entry.status) announce(`${entry.fileName}: ${statusText(entry)}`);
}

// ---------------------------------------------------------------------------------------------
// Submitting

async function upload(entry: HistoryEntry, photo: Blob): Promise<void> {
  try {
    apply(entry, await submitJob(photo, entry.fileName, entry.fields));
  } catch (err) {
    const e = err instanceof ApiError ? err : new ApiError(0, 'network', String(err));
    entry.status = 'failed';
    entry.error = {
      status: e.status,
      code: e.code,
      message: e.message,
      retryAfterSeconds: e.retryAfterSeconds,
    };
    announce(`${entry.fileName}: ${statusText(entry)}`);
  }
  persist();
  refresh();
  followPending();
}

function submitFiles(files: readonly File[]): void {
  if (files.length === 0) return;
  const task = currentTask();
  const fields = submissionFields(task, formValues());
  const model = fields.find(([name]) => name === 'model')?.[1] ?? defaultModel(task);
  const added = files.map((file, i): [HistoryEntry, File] => [
    {
      key: newKey(),
      task,
      model,
      fileName: file.name || `pasted-${i + 1}.png`,
      fileSize: file.size,
      fields,
      submittedAt: Date.now(),
      status: 'uploading',
    },
    file,
  ]);
  entries = [...added.map(([entry]) => entry).reverse(), ...entries];
  for (const [entry, file] of added) {
    photos.set(entry.key, file);
    void storablePhoto(file).then((copy) => putPhoto(entry.key, copy));
    void thumbnail(file).then((thumb) => {
      entry.thumb = thumb;
      persist();
      jobList.render(entries, selected);
    });
  }
  persist();
  select(added[0][0].key);
  announce(`${files.length} photo${files.length === 1 ? '' : 's'} sent`);
  for (const [entry, file] of added) void upload(entry, file);
}

fileInput.addEventListener('change', () => {
  submitFiles([...(fileInput.files ?? [])]);
  fileInput.value = '';
});
byId('pick').addEventListener('click', () => fileInput.click());
dropZone.addEventListener('click', (event) => {
  if (event.target === dropZone) fileInput.click();
});

// Drop anywhere on the page; the drop zone lights up while a file is dragged over the page.
const hasFiles = (event: DragEvent) => event.dataTransfer?.types.includes('Files') ?? false;
document.addEventListener('dragover', (event) => {
  if (!hasFiles(event)) return;
  event.preventDefault();
  dropZone.classList.add('dragging');
});
document.addEventListener('dragleave', (event) => {
  if (event.relatedTarget === null) dropZone.classList.remove('dragging');
});
document.addEventListener('drop', (event) => {
  if (!hasFiles(event)) return;
  event.preventDefault();
  dropZone.classList.remove('dragging');
  submitFiles([...(event.dataTransfer?.files ?? [])]);
});
document.addEventListener('paste', (event) => {
  const files = [...(event.clipboardData?.files ?? [])];
  if (files.length === 0) return; // text pasted into a field stays text
  event.preventDefault();
  submitFiles(files);
});

byId('clear-history').addEventListener('click', () => {
  const keys = entries.filter((e) => TERMINAL_STATUSES.has(e.status)).map((e) => e.key);
  entries = entries.filter((e) => !keys.includes(e.key));
  for (const key of keys) {
    photos.delete(key);
    views.delete(key);
  }
  void deletePhotos(keys);
  if (selected && keys.includes(selected)) selected = null;
  persist();
  refresh();
  announce('History cleared');
});

// ---------------------------------------------------------------------------------------------
// Following jobs (event streams, no polling)

const following = new Set<string>();

/** One event stream per unfinished job; each updates the page as its job moves. */
function followPending(): void {
  for (const entry of entries) {
    if (!entry.jobId || TERMINAL_STATUSES.has(entry.status) || following.has(entry.key)) continue;
    following.add(entry.key);
    const update = (view: JobView) => {
      apply(entry, view);
      persist();
      refresh();
    };
    followJob(entry.jobId, update).then(
      (view) => {
        following.delete(entry.key);
        update(view);
      },
      (err: unknown) => {
        following.delete(entry.key);
        if (err instanceof ApiError && err.code === 'not_found') {
          entry.status = 'failed';
          entry.error = { status: err.status, code: err.code, message: err.message };
          persist();
          refresh();
          return;
        }
        // The gateway stayed out of reach through the client's reconnections: later.
        window.setTimeout(followPending, REFOLLOW_MS);
      },
    );
  }
}

async function checkReadiness(): Promise<void> {
  const readiness = await getReadiness();
  readinessPill.textContent = readiness.message;
  readinessPill.dataset.ready = String(readiness.ready);
  const states = readiness.modelStatus.map((m) => `${m.id}:${m.status}`).join();
  const changed =
    readiness.models.join() !== loadedModels.join() ||
    states !== modelStates.map((m) => `${m.id}:${m.status}`).join();
  loadedModels = readiness.models;
  modelStates = readiness.modelStatus;
  if (changed) fillModels(currentTask(), modelSelect.value);
  setTimeout(() => void checkReadiness(), READINESS_MS);
}

// ---------------------------------------------------------------------------------------------
// Start

for (const entry of entries) {
  if (entry.status === 'uploading') {
    entry.status = 'failed';
    entry.error = {
      status: 0,
      code: 'interrupted',
      message: 'the page was reloaded before the API answered',
    };
  }
}
restoreOptions();
persist();
if (entries.length > 0) select(entries[0].key);
else refresh();
followPending();
void checkReadiness();
