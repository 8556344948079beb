import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  body: any;
  at: number;
}

/**
 * A real webhook receiver on 127.0.0.1. `script(path)` decides each answer; by default 200.
 * Every request is recorded with its raw body (signatures are over the raw bytes).
 */
export class TestReceiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly scripts = new Map<string, number[]>();
  private server!: http.Server;
  url = '';

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const rawBody = Buffer.concat(chunks).toString();
        const path = req.url ?? '/';
        let body: unknown = null;
        try {
          body = JSON.parse(rawBody);
        } catch {
          // recorded as-is
        }
        this.requests.push({ path, headers: req.headers, rawBody, body, at: Date.now() });
        const queue = this.scripts.get(path);
        const status = queue?.length ? queue.shift()! : 200;
        res.writeHead(status, { 'Content-Type': 'text/plain' }).end(`answer ${status}`);
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The next answers for `path`, in order (then 200). */
  script(path: string, statuses: number[]): void {
    this.scripts.set(path, [...statuses]);
  }

  on(path: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  async waitFor(path: string, count: number, timeoutMs = 20_000): Promise<ReceivedRequest[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.on(path).length < count) {
      if (Date.now() > deadline)
        throw new Error(`${path}: ${this.on(path).length} of ${count} requests after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.on(path);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
