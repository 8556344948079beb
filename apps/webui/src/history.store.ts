/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * This browser's recent jobs. The list (small JSON) lives in localStorage; the photos, which
 * the API does not give back, live in IndexedDB under the same key so a reloaded page can
 * still draw a result over its photo. Both are pruned to the newest `MAX_ENTRIES`.
 */
import { canvasBlob } from './dom.js';
import type { ApiFailure } from './error-messages.js';
import type { Fields, Task } from './options.catalog.js';

export const MAX_ENTRIES = 20;
const LIST_KEY = 'argus.webui.history.v1';
const DB_NAME = 'argus-webui';
const STORE = 'photos';

export interface HistoryEntry {
  /** Local id: every upload has one, also those the API refused (they never get a job id). */
  key: string;
  jobId?: string;
  task: Task;
  model: string;
  fileName: string;
  fileSize: number;
  fields: Fields;
  submittedAt: number;
  /** `uploading` until the API answers, then the job's own status. */
  status: string;
  progress?: { stage: string; percent: number };
  error?: ApiFailure;
  cached?: boolean;
  /** One line about the result: "5 objects", "2 people, 11 parts". */
  summary?: string;
  /** A small JPEG data URL for the list. */
  thumb?: string;
  finishedMs?: number;
}

export function loadEntries(): HistoryEntry[] {
  try {
    const raw = localStorage.getItem(LIST_KEY);
    const list = raw ? (JSON.parse(raw) as HistoryEntry[]) : [];
    return Array.isArray(list) ? list.filter((e) => e && typeof e.key === 'string') : [];
  } catch {
    return [];
  }
}

/** Saves the newest entries; returns the keys that fell off so their photos can go too. */
export function saveEntries(entries: HistoryEntry[]): string[] {
  const kept = entries.slice(0, MAX_ENTRIES);
  try {
    localStorage.setItem(LIST_KEY, JSON.stringify(kept));
  } catch {
    // Storage full or disabled (private mode): the page still works, without history.
  }
  return entries.slice(MAX_ENTRIES).map((e) => e.key);
}

let db: Promise<IDBDatabase | null> | undefined;

function openDb(): Promise<IDBDatabase | null> {
  db ??= new Promise((resolve) => {
    try {
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => resolve(null);
    } catch {
      resolve(null);
    }
  });
  return db;
}

function run<T>(mode: IDBTransactionMode, op: (store: IDBObjectStore) => IDBRequest<T>): Promise<T | null> {
  return openDb().then(
    (database) =>
      new Promise<T | null>((resolve) => {
        if (!database) return resolve(null);
        try {
          const req = op(database.transaction(STORE, mode).objectStore(STORE));
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => resolve(null);
        } catch {
          resolve(null);
        }
      }),
  );
}

/** Photos above this are stored as a smaller JPEG: results are drawn at most this large. */
const STORED_PIXELS = 2_500_000;
const STORED_BYTES = 2 * 1024 * 1024;

export async function putPhoto(key: string, photo: Blob): Promise<void> {
  await run('readwrite', (store) => store.put(photo, key));
}

/**
 * What to keep of a photo for later visits: the file itself when small, else a copy of at
 * most STORED_PIXELS (EXIF orientation applied, as the worker applies it), so twenty
 * remembered jobs never hold twenty 10 MB uploads.
 */
export async function storablePhoto(photo: Blob): Promise<Blob> {
  if (photo.size <= STORED_BYTES) return photo;
  try {
    const bitmap = await createImageBitmap(photo);
    const scale = Math.min(1, Math.sqrt(STORED_PIXELS / (bitmap.width * bitmap.height)));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    return await canvasBlob(canvas, 'image/jpeg', 0.9);
  } catch {
    return photo; // not decodable here (the API will say why); keep it as it is
  }
}

export async function getPhoto(key: string): Promise<Blob | null> {
  const found = await run<unknown>('readonly', (store) => store.get(key));
  return found instanceof Blob ? found : null;
}

export async function deletePhotos(keys: string[]): Promise<void> {
  for (const key of keys) await run('readwrite', (store) => store.delete(key));
}

/** A JPEG data URL at most `size` pixels on its long side. */
export async function thumbnail(photo: Blob, size = 96): Promise<string | undefined> {
  try {
    const bitmap = await createImageBitmap(photo);
    const scale = Math.min(1, size / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    return canvas.toDataURL('image/jpeg', 0.7);
  } catch {
    return undefined; // not an image the browser can decode; the list shows a placeholder
  }
}

export function newKey(): string {
  // crypto.randomUUID exists only in secure contexts; the page may be served over plain http.
  const random = Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) =>
    b.toString(16).padStart(2, '0'),
  );
  return `${Date.now().toString(36)}-${random.join('')}`;
}
