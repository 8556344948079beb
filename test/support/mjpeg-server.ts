/**
 * A live MJPEG camera on loopback: a real HTTP server that sends the same JPEG frames in a
 * loop as `multipart/x-mixed-replace`, to any number of clients, at a fixed rate. It can be
 * stopped (every client cut off) and started again on the same port, like a camera reboot.
 */
import http from 'node:http';
import type { Socket } from 'node:net';

export class MjpegServer {
  private server: http.Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  port = 0;

  constructor(
    private readonly frames: Buffer[],
    private readonly fps: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/camera.mjpg`;
  }

  async start(port = this.port): Promise<void> {
    const server = http.createServer((req, res) => {
      res.writeHead(200, {
        'Content-Type': 'multipart/x-mixed-replace; boundary=argusframe',
        'Cache-Control': 'no-cache',
      });
      let n = 0;
      const send = () => {
        const jpeg = this.frames[n++ % this.frames.length];
        res.write(`--argusframe\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`);
        res.write(jpeg);
        res.write('\r\n');
      };
      send();
      const timer = setInterval(send, 1000 / this.fps);
      this.timers.add(timer);
      req.on('close', () => {
        clearInterval(timer);
        this.timers.delete(timer);
      });
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** Every client is cut off at once, as when a camera goes away. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers.clear();
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get clients(): number {
    return this.sockets.size;
  }
}
