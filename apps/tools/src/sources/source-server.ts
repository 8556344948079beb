/**
 * A real HTTP server that stands in for the public model hosts: it serves the staged
 * originals (../shared/models) under the same paths, with Range support, and can be told to
 * misbehave per file. Tests and the fresh-clone check point MODEL_URL_MAP at it.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/** Public host prefix → path prefix on this server. */
export const HOST_PREFIXES: Record<string, string> = {
  'https://storage.googleapis.com/': '/gcs/',
  'https://github.com/': '/github/',
};

/** Public URL → file under the staged models folder (../shared/models). */
const STAGED: Record<string, string> = {
  'https://storage.googleapis.com/tfjs-models/savedmodel/bodypix/mobilenet/quant2/075/model-stride16.json':
    'source/bodypix/mobilenet_quant2_075/model-stride16.json',
  'https://storage.googleapis.com/tfjs-models/savedmodel/bodypix/mobilenet/quant2/075/group1-shard1of1.bin':
    'source/bodypix/mobilenet_quant2_075/group1-shard1of1.bin',
  'https://storage.googleapis.com/tfjs-models/savedmodel/bodypix/mobilenet/float/050/model-stride16.json':
    'source/bodypix/mobilenet_float_050/model-stride16.json',
  'https://storage.googleapis.com/tfjs-models/savedmodel/bodypix/mobilenet/float/050/group1-shard1of1.bin':
    'source/bodypix/mobilenet_float_050/group1-shard1of1.bin',
  'https://github.com/Lamri-Meriem/edge-object-detection/raw/a6844ef947be6d0dd3aeafcf4cac6f3d01806e10/yolov8n_int8.onnx':
    'yolov8n_int8.onnx',
  'https://github.com/udaypartha/dashcam/raw/7a2d55819df7f17222042203db878a3d23d3aaa5/yolov8n-seg_int8.onnx':
    'yolov8n-seg_int8_320.onnx',
  'https://github.com/Kazuhito00/Skin-Clothes-Hair-Segmentation-using-SMP/raw/043fc08bf0ed845b36485a115085104c6459cbc4/02.model/_old/PAN%28timm-mobilenetv3_small_100%29_452_1.02M_0.8028/best_model_simplifier.onnx':
    'skin_clothes_hair_pan_mnv3s.onnx',
};

/**
 * `drop-half`: send half the bytes, then cut the connection (every time a request starts at
 * byte 0; a Range request is served whole, so a resuming client finishes). `drop-half-always`:
 * cut every response half-way. `wrong-bytes`: serve the file with its bytes changed.
 * `missing`: 404.
 */
export type Fault = 'drop-half' | 'drop-half-always' | 'wrong-bytes' | 'missing';

export interface SourceServer {
  url: string;
  /** `MODEL_URL_MAP` value that sends the public hosts here. */
  urlMap: string;
  /** Requests served, by path, with their Range header (for assertions). */
  requests: { path: string; range?: string }[];
  setFault(publicUrl: string, fault: Fault | undefined): void;
  close(): Promise<void>;
}

export function publicToPath(publicUrl: string): string {
  for (const [host, prefix] of Object.entries(HOST_PREFIXES)) {
    if (publicUrl.startsWith(host)) return prefix + publicUrl.slice(host.length);
  }
  throw new Error(`no stand-in for ${publicUrl}`);
}

export async function startSourceServer(stagedDir: string, port = 0): Promise<SourceServer> {
  const files = new Map(
    // Keyed by the decoded path, as requests are looked up (the segmenter's URL has %28/%29).
    Object.entries(STAGED).map(([u, rel]) => [
      decodeURIComponent(publicToPath(u)),
      path.join(stagedDir, rel),
    ]),
  );
  const faults = new Map<string, Fault>();
  const requests: SourceServer['requests'] = [];
  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent((req.url ?? '/').split('?')[0]);
    const range = req.headers.range;
    requests.push({ path: urlPath, range });
    const file = files.get(urlPath);
    const fault = faults.get(urlPath);
    if (!file || !fs.existsSync(file) || fault === 'missing') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    let body = fs.readFileSync(file);
    if (fault === 'wrong-bytes') {
      body = Buffer.from(body);
      for (let i = 0; i < body.length; i += 4096) body[i] ^= 0xff;
    }
    const m = range ? /^bytes=(\d+)-$/.exec(range) : null;
    const start = m ? Number(m[1]) : 0;
    if (start >= body.length && body.length > 0) {
      res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
      return;
    }
    const part = body.subarray(start);
    const headers: http.OutgoingHttpHeaders = {
      'content-type': 'application/octet-stream',
      'content-length': part.length,
      'accept-ranges': 'bytes',
    };
    if (m) headers['content-range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
    res.writeHead(m ? 206 : 200, headers);
    const drop = fault === 'drop-half-always' || (fault === 'drop-half' && start === 0);
    if (!drop) {
      res.end(part);
      return;
    }
    res.write(part.subarray(0, Math.floor(part.length / 2)), () => {
      setTimeout(() => res.destroy(), 20);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    urlMap: Object.entries(HOST_PREFIXES)
      .map(([host, prefix]) => `${host}=${url}${prefix}`)
      .join(','),
    requests,
    setFault(publicUrl, fault) {
      const key = decodeURIComponent(publicToPath(publicUrl));
      if (fault) faults.set(key, fault);
      else faults.delete(key);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
