import dns from 'node:dns/promises';
import net from 'node:net';

/**
 * Addresses a callback must not reach unless allowed: loopback, private, CGNAT,
 * link-local (which holds the cloud metadata service, 169.254.169.254), multicast,
 * reserved and unspecified, in IPv4 and IPv6 (IPv4-mapped IPv6 included).
 */
const BLOCKED = new net.BlockList();
for (const [net4, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED.addSubnet(net4, prefix, 'ipv4');
}
for (const [net6, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['2001:db8::', 32],
  ['64:ff9b::', 96],
] as const) {
  BLOCKED.addSubnet(net6, prefix, 'ipv6');
}

/** True when `address` (an IP literal) is one a callback may not reach by default. */
export function isBlockedAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return BLOCKED.check(address, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return BLOCKED.check(mapped[1], 'ipv4');
    return BLOCKED.check(address, 'ipv6');
  }
  return true;
}

export interface CallbackPolicy {
  /** WEBHOOK_ALLOW_PRIVATE: allow every address (development, tests on one machine). */
  allowPrivate: boolean;
  /** WEBHOOK_ALLOWED_HOSTS: host names or IPs allowed even when they resolve to private addresses. */
  allowedHosts: readonly string[];
}

export class CallbackUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CallbackUrlError';
  }
}

/** Hostname as used for allow-list matching: lower case, IPv6 without brackets. */
export function normaliseHost(hostname: string): string {
  return hostname.toLowerCase().replace(/^\[|\]$/g, '');
}

export function isAllowedAddress(address: string, host: string, policy: CallbackPolicy): boolean {
  if (policy.allowPrivate) return true;
  if (policy.allowedHosts.map(normaliseHost).includes(normaliseHost(host))) return true;
  return !isBlockedAddress(address);
}

/**
 * Checks a callback URL at submit time: http(s) only, no credentials, and every address
 * the host resolves to must be allowed. The delivery checks again on the address it
 * actually connects to (DNS may change in between).
 */
export async function checkCallbackUrl(raw: string, policy: CallbackPolicy): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CallbackUrlError('callbackUrl is not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CallbackUrlError(`callbackUrl must use http or https, not ${url.protocol.replace(':', '')}`);
  }
  if (url.username || url.password) throw new CallbackUrlError('callbackUrl must not contain credentials');
  if (raw.length > 2048) throw new CallbackUrlError('callbackUrl is longer than 2048 characters');
  const host = normaliseHost(url.hostname);
  let addresses: string[];
  if (net.isIP(host)) {
    addresses = [host];
  } else {
    try {
      addresses = (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      throw new CallbackUrlError(`callbackUrl host "${host}" does not resolve`);
    }
  }
  const blocked = addresses.find((a) => !isAllowedAddress(a, host, policy));
  if (blocked) {
    throw new CallbackUrlError(
      `callbackUrl host "${host}" resolves to ${blocked}, a private, loopback, link-local or reserved address; ` +
        'set WEBHOOK_ALLOWED_HOSTS (or WEBHOOK_ALLOW_PRIVATE=true) to allow it',
    );
  }
  return url;
}
