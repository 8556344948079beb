/**
 * A hand-driven HTTP client for abuse tests: multipart uploads with or without a
 * Content-Length, written chunk by chunk so a client stops sending once it has its answer
 * (as curl does), and raw sockets for slow and idle clients.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import net from 'node:net';

export interface RawAnswer {
  status: number;
  body: any;
  retryAfter?: string;
}

export function multipartBody(
  file: Buffer,
  fields: Record<string, string>,
  field = 'image',
): {
  body: Buffer;
  contentType: string;
} {
  const boundary = `----argus${crypto.randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="upload.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
    ),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** POSTs `body` in 64 KiB writes; `chunked` sends no Content-Length. Rejects only when no answer came. */
export function rawPost(
  url: string,
  route: string,
  upload: { body: Buffer; contentType: string },
  chunked: boolean,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'content-type': upload.contentType };
    if (!chunked) headers['content-length'] = upload.body.length;
    const req = http.request(`${url}${route}`, { method: 'POST', headers, agent: false });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, body, retryAfter: res.headers['retry-after'] as string });
      });
      res.on('error', () => undefined);
    });
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    let offset = 0;
    const writeMore = () => {
      while (!answered && offset < upload.body.length) {
        const chunk = upload.body.subarray(offset, offset + 65536);
        offset += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', writeMore);
          return;
        }
      }
      if (!answered) req.end();
    };
    writeMore();
  });
}

/** Opens a socket and resolves with how long until the server closed it (ms). */
export function timeUntilClosed(
  port: number,
  send?: (socket: net.Socket) => void,
): { opened: Promise<void>; closedAfter: Promise<number>; received: () => string; socket: net.Socket } {
  const started = Date.now();
  const socket = net.connect(port, '127.0.0.1');
  let data = '';
  socket.on('data', (d: Buffer) => (data += d.toString()));
  socket.on('error', () => undefined);
  const opened = new Promise<void>((resolve) => socket.once('connect', () => (send?.(socket), resolve())));
  const closedAfter = new Promise<number>((resolve) =>
    socket.once('close', () => resolve(Date.now() - started)),
  );
  return { opened, closedAfter, received: () => data, socket };
}
