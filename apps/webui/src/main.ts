/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The page: take photos (drop, file dialog, paste), submit one job each through the public
 * API, follow their event streams, keep a local history, and show the selected job's result.
 */
import { TERMINAL_STATUSES } from '@argus/client';
import {
  ArgusError,
  asFailure,
  followJob,
  getJob,
  getReadiness,
  submitJob,
  type JobView,
} from './api.client.js';
import { byId } from './dom.js';
import './media.main.js';
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
import { OptionsForm } from './options.form.js';
import { ResultPanel } from './result.panel.js';

/** After a stream gives up (the gateway unreachable for a while), try again this much later. */
const REFOLLOW_MS = 5000;
const READINESS_MS = 10_000;

const options = new OptionsForm();
const fileInput = byId<HTMLInputElement>('file-input');
const dropZone = byId('drop-zone');
const announcer = byId('announcer');
const readinessPill = byId('readiness');

let entries: HistoryEntry[] = loadEntries();
let selected: string | null = null;
/** Photos of this session's uploads (the store holds them across reloads). */
const photos = new Map<string, Blob>();
/** The last read of each job. */
const views = new Map<string, JobView | ArgusError>();

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
      .catch((err: unknown) => views.set(key, asFailure(err)))
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
    const e = asFailure(err);
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
  const { task, fields, model } = options.submission();
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
  const keys = entries.filter((e) => TERMINAL_STATUSES.includes(e.status)).map((e) => e.key);
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
    if (!entry.jobId || TERMINAL_STATUSES.includes(entry.status) || following.has(entry.key)) continue;
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
        if (err instanceof ArgusError && err.code === 'not_found') {
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
  options.setModels(readiness.modelStatus, readiness.models);
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
options.restore();
persist();
if (entries.length > 0) select(entries[0].key);
else refresh();
followPending();
void checkReadiness();
