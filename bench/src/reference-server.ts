/**
 * The least any cache hit can cost, for the cache-hit comparison: Express with the gateway's
 * own multipart parser (multer, memory storage), the MD5 of the upload, one Redis GET and a
 * small JSON answer. It answers `POST /v1/jobs` so the same client and image measure both.
 * REDIS_URL and REFERENCE_KEY_PREFIX (the GET reads `<prefix>:<md5>`) come from the bench.
 */
import crypto from 'node:crypto';
import express from 'express';
import multer from 'multer';
import { Redis } from 'ioredis';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
const prefix = process.env.REFERENCE_KEY_PREFIX ?? 'argus-bench-reference';
const app = express();
const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: 10 * 1024 * 1024, files: 1 } });

app.post('/v1/jobs', upload.single('image'), (req, res, next) => {
  const md5 = crypto.createHash('md5').update(req.file!.buffer).digest('hex');
  redis.get(`${prefix}:${md5}`).then((value) => {
    if (value === null) res.status(404).json({ error: { code: 'not_found', message: 'not cached' } });
    else res.json({ id: md5, status: 'completed', cached: true, md5, bytes: value.length });
  }, next);
});

const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(
    `reference listening url=http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}\n`,
  );
});
process.once('SIGTERM', () => {
  server.close();
  redis.disconnect();
});
