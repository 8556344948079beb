import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { isAllowedAddress, normaliseHost, type CallbackPolicy } from './address-policy';

export interface DeliveryRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  /** At most this much of the response body is read (and kept for the attempt log). */
  maxResponseBytes: number;
  policy: CallbackPolicy;
}

export interface DeliveryResult {
  statusCode?: number;
  durationMs: number;
  /** Connection, timeout or policy error; absent when the receiver answered. */
  error?: string;
  /** From a Retry-After header (seconds or HTTP date), in ms. */
  retryAfterMs?: number;
  /** The start of the receiver's answer, for the deliveries list. */
  responseSnippet?: string;
}

/**
 * POSTs one delivery. Redirects are not followed, the response body is read only up to
 * `maxResponseBytes`, and the address actually connected to is checked against the
 * policy inside the DNS lookup, so a host that resolved to a public address at submit
 * time cannot be re-pointed at an internal one (DNS rebinding).
 */
export function deliverWebhook(req: DeliveryRequest): Promise<DeliveryResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      resolve({ durationMs: 0, error: 'invalid URL' });
      return;
    }
    const host = normaliseHost(url.hostname);
    if (net.isIP(host) && !isAllowedAddress(host, host, req.policy)) {
      resolve({ durationMs: 0, error: `address ${host} is not allowed` });
      return;
    }
    const lookup: net.LookupFunction = (hostname, options, callback) => {
      dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
        if (err) return callback(err, '', 4);
        const list = addresses;
        const allowed = list.filter((a) => isAllowedAddress(a.address, host, req.policy));
        if (allowed.length === 0) {
          const blocked = list[0]?.address ?? 'nothing';
          return callback(
            Object.assign(new Error(`${hostname} resolved to ${blocked}, which is not allowed`), {
              code: 'EBLOCKED',
            }),
            '',
            4,
          );
        }
        if (options.all)
          return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, allowed);
        callback(null, allowed[0].address, allowed[0].family);
      });
    };
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: {
          ...req.headers,
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(req.body).toString(),
        },
        lookup,
        timeout: req.timeoutMs,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < req.maxResponseBytes) chunks.push(chunk.subarray(0, req.maxResponseBytes - size));
          size += chunk.length;
          // Past the cap the rest is not worth reading: end the exchange.
          if (size >= req.maxResponseBytes) res.destroy();
        });
        const finish = () =>
          resolve({
            statusCode: res.statusCode,
            durationMs: elapsed(),
            retryAfterMs: parseRetryAfter(res.headers['retry-after']),
            responseSnippet: Buffer.concat(chunks).toString('utf8').slice(0, 200),
          });
        res.on('end', finish);
        res.on('close', finish);
      },
    );
    const deadline = setTimeout(
      () => request.destroy(new Error(`timed out after ${req.timeoutMs} ms`)),
      req.timeoutMs,
    );
    request.on('timeout', () => request.destroy(new Error(`timed out after ${req.timeoutMs} ms`)));
    request.on('error', (err) => resolve({ durationMs: elapsed(), error: err.message }));
    request.on('close', () => clearTimeout(deadline));
    request.end(req.body);
  });
}

export function parseRetryAfter(value: string | string[] | undefined): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

export type DeliveryOutcome =
  /** 2xx: done. */
  | 'delivered'
  /** 5xx, 408, 429, timeouts and connection errors: try again later. */
  | 'retry'
  /** 410 Gone: the receiver asks us to stop. */
  | 'gone'
  /** Other 4xx and 3xx (redirects are not followed): retrying would not help. */
  | 'rejected';

export function classifyDelivery(result: DeliveryResult): DeliveryOutcome {
  const code = result.statusCode;
  if (code === undefined) return 'retry';
  if (code >= 200 && code < 300) return 'delivered';
  if (code === 410) return 'gone';
  if (code === 408 || code === 429 || code >= 500) return 'retry';
  return 'rejected';
}

/**
 * Delay before retry `attempt` (1 = the first retry): exponential from `baseMs` with ±20 %
 * jitter, so a receiver that comes back is not hit by every sender at once. A receiver's
 * Retry-After wins when it asks for longer.
 */
export function retryDelayMs(
  attempt: number,
  baseMs: number,
  retryAfterMs?: number,
  random = Math.random,
): number {
  const exponential = baseMs * 2 ** Math.max(0, attempt - 1);
  const jittered = Math.round(exponential * (0.8 + 0.4 * random()));
  return retryAfterMs !== undefined ? Math.max(jittered, retryAfterMs) : jittered;
}
