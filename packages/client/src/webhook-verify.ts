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

export async function verifyWebhookSignature(
  secret: string,
  rawBody: string | Uint8Array,
  timestamp: string | null | undefined,
  signature: string | null | undefined,
  opts: VerifyOptions = {},
): Promise<boolean> {
  if (!secret || !timestamp || !signature || !/^\d+$/.test(timestamp)) return false;
  const match = /^sha256=([0-9a-f]{64})$/.exec(signature);
  if (!match) return false;
  const now = (opts.now ?? Date.now)() / 1000;
  if (Math.abs(now - Number(timestamp)) > (opts.toleranceSeconds ?? 300)) return false;
  const encoder = new TextEncoder();
  const body = typeof rawBody === 'string' ? rawBody : new TextDecoder().decode(rawBody);
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  );
  const given = new Uint8Array(match[1].match(/../g)!.map((h) => parseInt(h, 16)));
  // subtle.verify compares in constant time.
  return crypto.subtle.verify('HMAC', key, given, encoder.encode(`${timestamp}.${body}`));
}
