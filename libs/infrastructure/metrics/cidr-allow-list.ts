import ipaddr from 'ipaddr.js';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** An IPv4-mapped IPv6 range (::ffff:10.0.0.0/104) is the IPv4 range it maps. */
function normalizeRange(cidr: string): Range {
  const [addr, bits] = ipaddr.parseCIDR(cidr);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
    return [(addr as ipaddr.IPv6).toIPv4Address(), bits - 96];
  }
  return [addr, bits];
}

/** Who may read /metrics. Addresses are compared after unmapping ::ffff:a.b.c.d to IPv4. */
export class CidrAllowList {
  private readonly ranges: Range[];

  constructor(cidrs: readonly string[]) {
    this.ranges = cidrs.map(normalizeRange);
  }

  allows(address: string | undefined): boolean {
    if (!address || !ipaddr.isValid(address)) return false;
    const ip = ipaddr.process(address);
    return this.ranges.some(([range, bits]) => range.kind() === ip.kind() && ip.match(range, bits));
  }
}
