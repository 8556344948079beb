/**
 * A real RTSP camera for tests: Debian's GStreamer RTSP server (test/fixtures/rtsp-server.py,
 * run by the system python3 with python3-gi) serving an H.264 MP4 that ffmpeg builds from
 * coco128 stills. It can be stopped and started again on the same port, like a camera reboot.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './platform';

const SERVER = path.join(REPO_ROOT, 'test', 'fixtures', 'rtsp-server.py');

/** An H.264 clip (640×480, 10 fps, a keyframe every second) showing each still for `secondsPerStill`. */
export function h264FromStills(dir: string, stills: string[], secondsPerStill: number): string {
  const file = path.join(dir, 'camera.mp4');
  const inputs = stills.flatMap((s) => ['-loop', '1', '-t', String(secondsPerStill), '-i', s]);
  const scaled = stills
    .map(
      (_s, i) =>
        `[${i}]scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=10[v${i}]`,
    )
    .join(';');
  const joined = `${stills.map((_s, i) => `[v${i}]`).join('')}concat=n=${stills.length}:v=1:a=0,format=yuv420p`;
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-nostdin',
    '-y',
    ...inputs,
    '-filter_complex',
    `${scaled};${joined}`,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-g',
    '10',
    file,
  ]);
  return file;
}

export class RtspCamera {
  private child: ChildProcess | undefined;
  url = '';
  private port = 0;

  constructor(private readonly clip: string) {}

  async start(): Promise<void> {
    const child = spawn('/usr/bin/python3', [SERVER, String(this.port), this.clip], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let output = '';
    this.url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`RTSP server did not start: ${output}`)), 15_000);
      const onData = (d: Buffer) => {
        output += d.toString();
        const match = /rtsp ready (rtsp:\/\/\S+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`RTSP server exited (${code}): ${output}`));
      });
    });
    this.port = Number(new URL(this.url).port);
  }

  /** Kills the server: every client is cut off. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}
