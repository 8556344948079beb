import { signWebhook, verifyWebhookSignature as verifyInNode } from '@argus/webhooks';
import { verifyWebhookSignature } from './webhook-verify';

const SECRET = 'whsec-0123456789';
const body = JSON.stringify({ event: 'completed', job: { id: 'j1' } });

describe('the WebCrypto webhook verifier agrees with the signer', () => {
  const now = () => 1_750_000_000_000;
  const ts = String(now() / 1000);

  it('accepts what packages/webhooks signs, as Node’s verifier does', async () => {
    const signature = signWebhook(SECRET, ts, body);
    expect(verifyInNode(SECRET, body, ts, signature, { now })).toBe(true);
    expect(await verifyWebhookSignature(SECRET, body, ts, signature, { now })).toBe(true);
    expect(await verifyWebhookSignature(SECRET, new TextEncoder().encode(body), ts, signature, { now })).toBe(
      true,
    );
  });

  it('refuses a changed body, another secret, a stale timestamp and junk', async () => {
    const signature = signWebhook(SECRET, ts, body);
    expect(await verifyWebhookSignature(SECRET, `${body} `, ts, signature, { now })).toBe(false);
    expect(await verifyWebhookSignature('other', body, ts, signature, { now })).toBe(false);
    const old = String(Number(ts) - 301);
    expect(await verifyWebhookSignature(SECRET, body, old, signWebhook(SECRET, old, body), { now })).toBe(
      false,
    );
    expect(await verifyWebhookSignature(SECRET, body, ts, 'sha256=zz', { now })).toBe(false);
    expect(await verifyWebhookSignature(SECRET, body, undefined, signature, { now })).toBe(false);
  });
});
