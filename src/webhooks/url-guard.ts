import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * SSRF guard for webhook URLs. Only public unicast addresses are called: loopback, private (RFC 1918), link-local
 * (169.254/16, cloud metadata), unique-local, carrier-grade NAT, multicast, reserved and unspecified addresses are
 * refused, IPv4-mapped IPv6 included, both when the endpoint is saved and at every delivery (the connection uses
 * the address that was checked, so a DNS answer that changes in between cannot reach inside).
 */
export function isPublicAddress(ip: string): boolean {
  if (!ipaddr.isValid(ip)) return false;
  return ipaddr.process(ip).range() === 'unicast';
}

export class UnsafeAddressError extends Error {
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(`${host} resolves to ${address}, a private, loopback or link-local address`);
    this.name = 'UnsafeAddressError';
  }
}

/** Returns the problem with a URL (or null): scheme, credentials, and its addresses after DNS resolution. */
export async function checkWebhookUrl(raw: string, allowPrivate: boolean): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a valid URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http or https URL';
  if (url.username || url.password) return 'must not carry credentials (use the signing secret)';
  if (allowPrivate) return null;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (ipaddr.isValid(host)) addresses = [host];
  else {
    try {
      addresses = (await dns.promises.lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      return `its host "${host}" does not resolve`;
    }
  }
  const bad = addresses.find((a) => !isPublicAddress(a));
  if (bad)
    return `points at ${bad}, a private, loopback or link-local address (an admin may allow private networks for the organization)`;
  return null;
}

/** A `lookup` for http.request that refuses non-public answers: checked at connection time. */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as dns.LookupAddress[];
      const bad = allowPrivate ? undefined : list.find((a) => !isPublicAddress(a.address));
      if (bad) return callback(new UnsafeAddressError(hostname, bad.address), '', 0);
      if ((options as dns.LookupOptions).all)
        return (callback as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
}
