import crypto from 'node:crypto';

/** Headers every delivery carries. */
export const WEBHOOK_HEADERS = {
  event: 'X-Argus-Event',
  delivery: 'X-Argus-Delivery',
  timestamp: 'X-Argus-Timestamp',
  signature: 'X-Argus-Signature',
} as const;

/**
 * `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`. Signing the timestamp with the body
 * lets receivers refuse replays of an old delivery.
 */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface VerifyOptions {
  /** Reject deliveries whose timestamp is further than this from now. Default 300 s. */
  toleranceSeconds?: number;
  /** Clock for tests. */
  now?: () => number;
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
  if (!secret || !timestamp || !signature || !/^\d+$/.test(timestamp)) return false;
  const now = (opts.now ?? Date.now)() / 1000;
  if (Math.abs(now - Number(timestamp)) > (opts.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, rawBody.toString()));
  const given = Buffer.from(signature);
  return expected.length === given.length && crypto.timingSafeEqual(expected, given);
}
