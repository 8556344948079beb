import { signWebhook, verifyWebhookSignature } from './signature';

describe('webhook signatures', () => {
  const secret = 's3cret';
  const now = 1_700_000_000_000;
  const ts = String(now / 1000);
  const body = '{"event":"completed"}';

  it('signs "<timestamp>.<body>" with HMAC-SHA256 as sha256=<hex>', () => {
    expect(signWebhook(secret, ts, body)).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(signWebhook(secret, ts, body)).not.toBe(signWebhook(secret, ts, `${body} `));
  });

  it('verifies a genuine delivery and refuses tampering, other secrets and stale timestamps', () => {
    const sig = signWebhook(secret, ts, body);
    const clock = { now: () => now };
    expect(verifyWebhookSignature(secret, body, ts, sig, clock)).toBe(true);
    expect(verifyWebhookSignature(secret, Buffer.from(body), ts, sig, clock)).toBe(true);
    expect(verifyWebhookSignature(secret, body.replace('completed', 'failed'), ts, sig, clock)).toBe(false);
    expect(verifyWebhookSignature('other', body, ts, sig, clock)).toBe(false);
    expect(verifyWebhookSignature(secret, body, String(Number(ts) + 1), sig, clock)).toBe(false);
    expect(verifyWebhookSignature(secret, body, ts, sig, { now: () => now + 301_000 })).toBe(false);
    expect(verifyWebhookSignature(secret, body, ts, undefined, clock)).toBe(false);
    expect(verifyWebhookSignature(secret, body, 'abc', sig, clock)).toBe(false);
  });
});
