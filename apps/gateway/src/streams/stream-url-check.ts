import dns from 'node:dns/promises';
import net from 'node:net';
import { AppError } from '@argus/contracts';
import { isAllowedAddress, normaliseHost, type CallbackPolicy } from '@argus/webhooks';

const SCHEMES = new Set(['rtsp:', 'rtsps:', 'http:', 'https:']);

/**
 * A stream URL passes the webhooks' address guard: rtsp(s) or http(s), no private,
 * loopback, link-local or reserved address unless STREAM_ALLOW_PRIVATE / STREAM_ALLOWED_HOSTS
 * allow it. Credentials in the URL are accepted (cameras need them) and never shown back.
 */
export async function checkStreamUrl(raw: string, policy: CallbackPolicy): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError('invalid_option', 'url: not an absolute URL');
  }
  if (!SCHEMES.has(url.protocol)) {
    throw new AppError(
      'invalid_option',
      `url: use rtsp, rtsps, http or https, not ${url.protocol.replace(':', '')}`,
    );
  }
  const host = normaliseHost(url.hostname);
  let addresses: string[];
  if (net.isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      throw new AppError('invalid_option', `url: host "${host}" does not resolve`);
    }
  }
  const blocked = addresses.find((a) => !isAllowedAddress(a, host, policy));
  if (blocked) {
    throw new AppError(
      'invalid_option',
      `url: host "${host}" resolves to ${blocked}, a private, loopback, link-local or reserved address; ` +
        'set STREAM_ALLOWED_HOSTS (or STREAM_ALLOW_PRIVATE=true) to allow it',
    );
  }
  return url;
}
