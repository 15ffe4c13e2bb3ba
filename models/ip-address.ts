import { isIPv4, isIPv6 } from 'node:net';

/** An IP address as bytes (4 or 16), so ranges are compared bit by bit, not as text. */
export interface IpAddress {
  version: 4 | 6;
  bytes: Uint8Array;
}

/**
 * Where an address points. Only `public` is reachable by a recording URL
 * without the administrator naming the address itself (see recording-url-policy.ts).
 * `metadata` is the cloud instance-metadata service (credentials live there),
 * kept apart from the range it sits in (Alibaba's 100.100.100.200 is in
 * shared address space, AWS's fd00:ec2::254 is a unique-local address).
 */
export type AddressScope =
  'public' | 'private' | 'loopback' | 'link_local' | 'metadata' | 'unspecified' | 'reserved';

/** Strict IP text: dotted-decimal IPv4 or IPv6 (brackets allowed); no zone ids, no octal or integer forms. */
export function parseIp(text: string): IpAddress | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (isIPv4(bare)) return { version: 4, bytes: Uint8Array.from(bare.split('.').map(Number)) };
  if (isIPv6(bare) && !bare.includes('%')) return { version: 6, bytes: ipv6Bytes(bare) };
  return undefined;
}

export function formatIp(ip: IpAddress): string {
  if (ip.version === 4) return ip.bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((ip.bytes[i] << 8) | ip.bytes[i + 1]).toString(16));
  return groups.join(':');
}

/** Whether `ip` lies in `network`/`prefix` (same version only; IPv4-mapped IPv6 is unwrapped first). */
export function inRange(ip: IpAddress, network: IpAddress, prefix: number): boolean {
  const a = unwrapIpv4(ip);
  if (a.version !== network.version) return false;
  for (let bit = 0; bit < prefix; bit += 8) {
    const bits = Math.min(8, prefix - bit);
    const mask = (0xff << (8 - bits)) & 0xff;
    if ((a.bytes[bit / 8] & mask) !== (network.bytes[bit / 8] & mask)) return false;
  }
  return true;
}

/**
 * An IPv6 address that only carries an IPv4 one (IPv4-mapped ::ffff:a.b.c.d,
 * NAT64 64:ff9b::/96, 6to4 2002::/16) is the IPv4 address for every check:
 * otherwise http://[::ffff:127.0.0.1]/ would pass as "IPv6, not loopback".
 */
export function unwrapIpv4(ip: IpAddress): IpAddress {
  if (ip.version === 4) return ip;
  const b = ip.bytes;
  const zeros = (from: number, to: number) => b.subarray(from, to).every((x) => x === 0);
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return { version: 4, bytes: b.slice(12) };
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) {
    return { version: 4, bytes: b.slice(12) };
  }
  if (b[0] === 0x20 && b[1] === 0x02) return { version: 4, bytes: b.slice(2, 6) };
  return ip;
}

const ranges: Array<[string, number, AddressScope]> = [
  // IPv4, most specific first.
  ['0.0.0.0', 8, 'unspecified'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.169.254', 32, 'metadata'],
  ['169.254.0.0', 16, 'link_local'],
  ['100.100.100.200', 32, 'metadata'],
  ['10.0.0.0', 8, 'private'],
  ['172.16.0.0', 12, 'private'],
  ['192.168.0.0', 16, 'private'],
  ['100.64.0.0', 10, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'reserved'],
  ['192.88.99.0', 24, 'reserved'],
  ['198.18.0.0', 15, 'reserved'],
  ['198.51.100.0', 24, 'reserved'],
  ['203.0.113.0', 24, 'reserved'],
  ['224.0.0.0', 4, 'reserved'],
  ['240.0.0.0', 4, 'reserved'],
  // IPv6 (IPv4-carrying forms were unwrapped above).
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['fd00:ec2::254', 128, 'metadata'],
  ['fe80::', 10, 'link_local'],
  ['fc00::', 7, 'private'],
  ['2001::', 32, 'reserved'],
  ['2001:db8::', 32, 'reserved'],
  ['2001:10::', 28, 'reserved'],
  ['2001:20::', 28, 'reserved'],
  ['3fff::', 20, 'reserved'],
  ['64:ff9b:1::', 48, 'reserved'],
];
const compiledRanges = ranges.map(([net, prefix, scope]) => ({ net: parseIp(net)!, prefix, scope }));
const globalUnicast = parseIp('2000::')!;

export function addressScope(ip: IpAddress): AddressScope {
  const a = unwrapIpv4(ip);
  const hit = compiledRanges.find((r) => inRange(a, r.net, r.prefix));
  if (hit) return hit.scope;
  // Outside 2000::/3 nothing in IPv6 is routable on the internet (::/8 compat forms, fec0::, ff00:: multicast …).
  if (a.version === 6 && !inRange(a, globalUnicast, 3)) return 'reserved';
  return 'public';
}

function ipv6Bytes(text: string): Uint8Array {
  const toGroups = (part: string): number[] => {
    if (part === '') return [];
    return part.split(':').flatMap((g) => {
      if (!g.includes('.')) return [parseInt(g, 16)];
      const [a, b, c, d] = g.split('.').map(Number);
      return [(a << 8) | b, (c << 8) | d];
    });
  };
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = toGroups(head);
  const right = tail === undefined ? [] : toGroups(tail);
  const groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}
