import dns from 'node:dns/promises';
import net from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Where a callback may go, decided by ipaddr.js (a maintained copy of the IANA special-purpose
 * registries) rather than a hand-kept list:
 * - IPv4 (and IPv4-mapped IPv6, `::ffff:a.b.c.d`, judged as the IPv4 it maps): only what
 *   ipaddr.js calls `unicast`, i.e. none of loopback, private, CGNAT, link-local (the cloud
 *   metadata service, 169.254.169.254), reserved, documentation, benchmarking, multicast,
 *   broadcast, unspecified.
 * - IPv6: only global unicast (2000::/3) that ipaddr.js calls `unicast`. Everything that
 *   embeds or translates to IPv4 (6to4 2002::/16, Teredo 2001::/32, NAT64 64:ff9b::/96 and
 *   64:ff9b:1::/48, SIIT ::ffff:0:0/96, IPv4-compatible ::/96), site-local fec0::/10,
 *   discard 100::/64, unique-local, link-local, multicast and documentation is refused:
 *   an embedded IPv4 could be anything, and a relay may deliver it to an internal host.
 * The same function decides at submit time and at connect time (deliver.ts).
 */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

/** True when `address` (an IP literal) is one a callback may not reach by default. */
export function isBlockedAddress(address: string): boolean {
  // net.isIP is strict (no `127.1`, no hex parts): anything else is not an address literal.
  if (net.isIP(address) === 0) return true;
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = ipaddr.parse(address);
  } catch {
    return true;
  }
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) {
    ip = (ip as ipaddr.IPv6).toIPv4Address();
  }
  if (ip.kind() === 'ipv4') return ip.range() !== 'unicast';
  return !(ip.match(GLOBAL_UNICAST_V6) && ip.range() === 'unicast');
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
