/**
 * API errors in plain words. The page branches on the stable `error.code`, never on the
 * message; the server's message is still shown beneath as the detail.
 */
export interface ApiFailure {
  /** HTTP status; 0 when the gateway could not be reached at all. */
  status: number;
  code: string;
  message: string;
  retryAfterSeconds?: number;
}

export interface PlainError {
  title: string;
  detail: string;
}

/** `1048576` → `1 MiB`. */
export function humanBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = unit === 0 || Number.isInteger(value) ? String(value) : value.toFixed(1);
  return `${shown} ${units[unit]}`;
}

const TITLES: Record<string, string> = {
  payload_too_large: 'This file is too big to upload.',
  unsupported_media_type: 'This file is not a JPEG, PNG or WebP image.',
  image_too_large: 'This photo has too many pixels to process.',
  image_too_complex:
    'This JPEG is saved in too many passes to decode safely. Save it again as a normal JPEG.',
  lost: 'The server lost this job when its job store restarted. Submit the photo again.',
  invalid_image: 'This image is damaged or cut short, so it cannot be read.',
  unavailable: 'The service is unavailable right now. Please try again in a moment.',
  missing_image: 'The file is empty.',
  invalid_option: 'One of the options was refused.',
  model_unavailable: 'That model is not available on this server.',
  timeout: 'The job took too long.',
  not_found: 'The server no longer knows this job (results are kept for a day).',
  result_expired: 'This result has expired on the server. Submit the photo again.',
  image_expired: 'The upload expired before a worker reached it. Submit the photo again.',
  inference_failed: 'The model failed on this photo.',
  canceled: 'The job was canceled.',
  unauthorized: 'This server needs an API key.',
  rate_limited: 'Too many requests right now.',
  quota_exceeded: 'The daily job quota of this API key is used up.',
  overloaded: 'The service is busy: too many jobs are waiting.',
  internal: 'Something went wrong on the server.',
  network: 'The server cannot be reached. Check that the gateway is running.',
  interrupted: 'The upload was interrupted when the page was closed or reloaded.',
  render: 'The result cannot be drawn in this browser.',
};

export function plainError(failure: ApiFailure): PlainError {
  let detail = failure.message;
  if (failure.code === 'payload_too_large') {
    const limit = /(\d+) bytes/.exec(failure.message);
    if (limit) detail = `The largest upload this server accepts is ${humanBytes(Number(limit[1]))}.`;
  } else if (failure.code === 'unsupported_media_type') {
    detail = 'Its contents were checked, not its name. Save the photo as JPEG, PNG or WebP and try again.';
  } else if (failure.code === 'unavailable') {
    detail = `${failure.message}. Nothing was queued.`;
  } else if (failure.code === 'unauthorized') {
    detail = 'Enter your key under “More options”, then submit the photo again.';
  }
  if (failure.retryAfterSeconds) detail += ` Try again in ${failure.retryAfterSeconds} s.`;
  const title =
    TITLES[failure.code] ??
    (failure.status ? `The request failed (HTTP ${failure.status}).` : 'The request failed.');
  return { title, detail: detail.charAt(0).toUpperCase() + detail.slice(1) };
}
