/**
 * For webhook receivers, in Node 20+ and browsers alike (WebCrypto, no Node modules): checks
 * an Argus delivery's `X-Argus-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`
 * against `X-Argus-Timestamp`, as packages/webhooks signs it (a test signs with that package
 * and verifies with this one). Pass the raw body exactly as received, before JSON parsing.
 */
export interface VerifyOptions {
  /** Reject deliveries whose timestamp is further than this from now. Default 300 s. */
  toleranceSeconds?: number;
  /** Clock for tests, in epoch ms. */
  now?: () => number;
}

export const WEBHOOK_HEADERS = {
  event: 'X-Argus-Event',
  delivery: 'X-Argus-Delivery',
  timestamp: 'X-Argus-Timestamp',
  signature: 'X-Argus-Signature',
} as const;

/**
 * The delivery's timestamp and hex digest when both headers are well formed and the timestamp
 * is within the tolerance; null otherwise. Pure, so @argus/webhooks' node:crypto verifier
 * uses it too and both verifiers refuse the same deliveries.
 */
export function freshWebhookSignature(
  secret: string,
  timestamp: string | null | undefined,
  signature: string | null | undefined,
  opts: VerifyOptions = {},
): { timestamp: string; hex: string } | null {
  if (!secret || !timestamp || !signature || !/^\d+$/.test(timestamp)) return null;
  const match = /^sha256=([0-9a-f]{64})$/.exec(signature);
  if (!match) return null;
  const now = (opts.now ?? Date.now)() / 1000;
  if (Math.abs(now - Number(timestamp)) > (opts.toleranceSeconds ?? 300)) return null;
  return { timestamp, hex: match[1] };
}

export async function verifyWebhookSignature(
  secret: string,
  rawBody: string | Uint8Array,
  timestamp: string | null | undefined,
  signature: string | null | undefined,
  opts: VerifyOptions = {},
): Promise<boolean> {
  const fresh = freshWebhookSignature(secret, timestamp, signature, opts);
  if (!fresh) return false;
  const encoder = new TextEncoder();
  const body = typeof rawBody === 'string' ? rawBody : new TextDecoder().decode(rawBody);
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  );
  const given = new Uint8Array(fresh.hex.match(/../g)!.map((h) => parseInt(h, 16)));
  // subtle.verify compares in constant time.
  return crypto.subtle.verify('HMAC', key, given, encoder.encode(`${fresh.timestamp}.${body}`));
}
