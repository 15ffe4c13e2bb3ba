import { domainToASCII } from 'node:url';
import { addressScope, inRange, parseIp, type IpAddress } from './ip-address.ts';

/**
 * Which recording URLs callqa may fetch: the one definition, used at ingest
 * (api/ingest, without DNS) and before every connection (workers/audio/fetch-recording.ts).
 *
 * The allow-list is CALLQA_RECORDING_HOSTS, comma-separated; empty (the default)
 * means no remote fetch at all. Each entry is a host and an optional port:
 *
 *   recordings.example.com        exactly this name
 *   *.recordings.example.com      any name below it (not the name itself)
 *   10.1.2.3, [fd00::5]           exactly this address
 *   10.1.0.0/16, [fd00::]/8       any address in this range
 *   …:8080                        on that port; without a port only 80 (http) and 443 (https)
 *
 * Where a name may point, checked after DNS on every hop:
 * - a public address: always (the name is on the list);
 * - a private address (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7): only
 *   for a name listed exactly. A company's recording server is often on a
 *   private address, and naming it exactly is a deliberate choice; a wildcard
 *   is not, since anyone who can add a name under it could point that name
 *   inside the network;
 * - loopback, link-local, cloud metadata, unspecified (0.0.0.0, ::) and
 *   reserved ranges: only when that address or range is itself on the list.
 *   No recording server lives there by accident, and these are what SSRF is
 *   after (169.254.169.254 hands out cloud credentials).
 * One refused address refuses the whole name, so a DNS answer mixing a public
 * and an internal address cannot get through on the second try.
 * IPv4-mapped and other IPv4-carrying IPv6 forms count as their IPv4 address.
 *
 * Every refusal has the one code `url_not_allowed`, decided before any
 * connection: a caller cannot tell a closed port from a silent or a live one.
 */
export type HostRule =
  | { kind: 'name'; name: string; port?: number; raw: string }
  | { kind: 'suffix'; suffix: string; port?: number; raw: string }
  | { kind: 'address'; network: IpAddress; prefix: number; port?: number; raw: string };

export const urlNotAllowed = 'url_not_allowed';

/** Longest recording URL accepted; real ones are a fraction of this. */
export const maxRecordingUrlLength = 2048;
/** Redirects followed per download, each hop checked like the first URL. */
export const maxRecordingRedirects = 5;

export type UrlCheck =
  { ok: true; url: URL; host: CheckedHost } | { ok: false; code: typeof urlNotAllowed; reason: string };

/** What the checks after DNS need to know about the URL's host. */
export interface CheckedHost {
  /** The name to resolve, or undefined when the URL names an address. */
  name?: string;
  address?: IpAddress;
  port: number;
  /** The name is listed exactly (not through a wildcard): its private addresses are allowed. */
  listedExactly: boolean;
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Parses CALLQA_RECORDING_HOSTS; each bad entry is one problem, with what is wrong. */
export function parseRecordingHosts(text: string | undefined): { rules: HostRule[]; problems: string[] } {
  const rules: HostRule[] = [];
  const problems: string[] = [];
  for (const entry of (text ?? '').split(',').map((e) => e.trim())) {
    if (!entry) continue;
    const rule = parseHostRule(entry);
    if (typeof rule === 'string') problems.push(`"${entry}": ${rule}`);
    else rules.push(rule);
  }
  return { rules, problems };
}

/**
 * The checks that need no network: scheme, userinfo, length, and the host and
 * port against the allow-list. Ingest stops here; the fetch goes on to DNS.
 */
export function checkRecordingUrl(text: string, rules: readonly HostRule[]): UrlCheck {
  const refuse = (why: string): UrlCheck => ({
    ok: false,
    code: urlNotAllowed,
    reason: `recording URL ${displayUrl(text)} is not allowed: ${why}`,
  });
  if (text.length > maxRecordingUrlLength) return refuse(`longer than ${maxRecordingUrlLength} characters`);
  // The URL parser silently drops tabs and newlines; a URL that needs them is not one we fetch.
  if (hasSpaceOrControl(text)) return refuse('it contains spaces or control characters');
  const url = parseUrl(text);
  if (!url) return refuse('it is not a valid URL');
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return refuse(`only http and https are fetched, not ${url.protocol}`);
  }
  if (url.username || url.password) return refuse('credentials in the URL (user@host) are not accepted');
  const host = url.hostname.replace(/\.$/, '');
  if (!host) return refuse('it has no host');
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  // The URL parser has already turned 2130706433 and 0177.0.0.1 into 127.0.0.1.
  const address = parseIp(host);
  const matching = rules.filter((r) => ruleMatchesHost(r, host, address, port));
  if (matching.length === 0) return refuse(`${hostAndPort(host, port)} is not in CALLQA_RECORDING_HOSTS`);
  return {
    ok: true,
    url,
    host: {
      name: address ? undefined : host,
      address,
      port,
      listedExactly: matching.some((r) => r.kind === 'name'),
    },
  };
}

/**
 * After DNS: every address the host resolved to must be allowed (see the
 * header), otherwise the URL is refused. The fetch connects only to the
 * addresses returned here, so DNS cannot change its answer in between.
 */
export function checkResolvedAddresses(
  url: URL,
  host: CheckedHost,
  addresses: readonly ResolvedAddress[],
  rules: readonly HostRule[],
): { ok: true; addresses: ResolvedAddress[] } | { ok: false; code: typeof urlNotAllowed; reason: string } {
  const allowed = addresses.filter((a) => {
    const ip = parseIp(a.address);
    return ip !== undefined && addressAllowed(ip, host, rules);
  });
  if (addresses.length === 0 || allowed.length !== addresses.length) {
    // Which address, and of what kind, stays in the server's head: the caller learns nothing about the network.
    return {
      ok: false,
      code: urlNotAllowed,
      reason: `recording URL ${displayUrl(url.href)} is not allowed: its host does not resolve to an address CALLQA_RECORDING_HOSTS allows`,
    };
  }
  return { ok: true, addresses: allowed };
}

function addressAllowed(ip: IpAddress, host: CheckedHost, rules: readonly HostRule[]): boolean {
  const listed = rules.some(
    (r) => r.kind === 'address' && portMatches(r, host.port) && inRange(ip, r.network, r.prefix),
  );
  if (listed) return true;
  const scope = addressScope(ip);
  return scope === 'public' || (scope === 'private' && host.listedExactly);
}

function ruleMatchesHost(
  rule: HostRule,
  host: string,
  address: IpAddress | undefined,
  port: number,
): boolean {
  if (!portMatches(rule, port)) return false;
  if (rule.kind === 'address') return address !== undefined && inRange(address, rule.network, rule.prefix);
  if (address) return false;
  if (rule.kind === 'name') return host === rule.name;
  return host.endsWith(`.${rule.suffix}`);
}

function portMatches(rule: HostRule, port: number): boolean {
  return rule.port === undefined ? port === 80 || port === 443 : rule.port === port;
}

function parseHostRule(entry: string): HostRule | string {
  const lower = entry.toLowerCase();
  let host: string;
  let rest: string;
  if (lower.startsWith('[')) {
    const close = lower.indexOf(']');
    if (close < 0) return 'missing "]" after the IPv6 address';
    host = lower.slice(0, close + 1);
    rest = lower.slice(close + 1);
  } else {
    if (lower.split(':').length > 2) return 'write IPv6 addresses in brackets, e.g. [fd00::5]:8080';
    const cut = lower.search(/[/:]/);
    host = cut < 0 ? lower : lower.slice(0, cut);
    rest = cut < 0 ? '' : lower.slice(cut);
  }
  const parts = /^(?:\/(\d{1,3}))?(?::(\d{1,5}))?$/.exec(rest);
  if (!parts) return 'expected host, host:port, address/prefix or [IPv6]:port';
  const [, prefixText, portText] = parts;
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (port < 1 || port > 65535)) return 'port must be 1 to 65535';
  const address = parseIp(host);
  if (address) {
    const bits = address.version === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? bits : Number(prefixText);
    if (prefix > bits) return `prefix must be 0 to ${bits}`;
    return { kind: 'address', network: address, prefix, port, raw: entry };
  }
  if (prefixText !== undefined) return 'a /prefix needs an IP address (write IPv6 in brackets)';
  const wildcard = host.startsWith('*.');
  const name = domainToASCII(wildcard ? host.slice(2) : host).replace(/\.$/, '');
  if (!name || name.includes('*') || !/^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(name)) {
    return 'not a host name (wildcards only as a leading "*.")';
  }
  // 2130706433 or 0177.0.0.1 would be read as an address by the URL parser; ask for the plain form.
  if (parseIp(parseUrl(`http://${name}/`)?.hostname ?? '')) {
    return 'write IPv4 addresses as four decimal numbers';
  }
  return wildcard
    ? { kind: 'suffix', suffix: name, port, raw: entry }
    : { kind: 'name', name, port, raw: entry };
}

function hostAndPort(host: string, port: number): string {
  return `${host}:${port}`;
}

/** Recording URLs end up in messages and logs: never their query string (tokens live there), and not forever. */
export function displayUrl(text: string): string {
  const url = parseUrl(text);
  const plain = url
    ? `${url.protocol}//${url.host}${url.pathname}`
    : [...text].map((c) => (hasSpaceOrControl(c) ? '?' : c)).join('');
  return plain.length > 200 ? `${plain.slice(0, 200)}…` : plain;
}

function parseUrl(text: string): URL | undefined {
  return URL.canParse(text) ? new URL(text) : undefined;
}

function hasSpaceOrControl(text: string): boolean {
  return [...text].some((c) => /\s/u.test(c) || c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
}
