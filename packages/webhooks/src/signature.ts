import crypto from 'node:crypto';
import { freshWebhookSignature, WEBHOOK_HEADERS, type VerifyOptions } from '@argus/client';

/**
 * The header names and the header checks (format, timestamp tolerance) are the client's
 * (pure, browser-safe), so the signer, this verifier and the client's WebCrypto one agree.
 */
export { WEBHOOK_HEADERS, type VerifyOptions };

/**
 * `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`. Signing the timestamp with the body
 * lets receivers refuse replays of an old delivery.
 */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * For receivers: checks an Argus delivery. Pass the raw request body (exactly the bytes
 * received, before JSON parsing) and the two headers. Constant-time comparison; stale
 * timestamps fail.
 *
 * ```js
 * const { verifyWebhookSignature } = require('@argus/webhooks');
 * const ok = verifyWebhookSignature(process.env.WEBHOOK_SECRET, rawBody,
 *   req.headers['x-argus-timestamp'], req.headers['x-argus-signature']);
 * ```
 */
export function verifyWebhookSignature(
  secret: string,
  rawBody: string | Buffer,
  timestamp: string | undefined,
  signature: string | undefined,
  opts: VerifyOptions = {},
): boolean {
  const fresh = freshWebhookSignature(secret, timestamp, signature, opts);
  if (!fresh) return false;
  const expected = Buffer.from(signWebhook(secret, fresh.timestamp, rawBody.toString()));
  const given = Buffer.from(`sha256=${fresh.hex}`);
  return expected.length === given.length && crypto.timingSafeEqual(expected, given);
}
