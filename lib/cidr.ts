// IPv4 CIDR arithmetic for subnet layout. Plain functions, property-tested in cidr.test.ts.

export interface Cidr {
  /** Network address as an unsigned 32-bit integer. */
  base: number;
  prefix: number;
}

export function parseCidr(text: string): Cidr {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!m) throw new Error(`"${text}" is not an IPv4 CIDR`);
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) throw new Error(`"${text}" is not an IPv4 CIDR`);
  const addr = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  return { base: addr - (addr % size), prefix };
}

export function formatCidr(c: Cidr): string {
  const o = [24, 16, 8, 0].map((s) => Math.floor(c.base / 2 ** s) % 256);
  return `${o.join(".")}/${c.prefix}`;
}

/** The index-th block of size /newPrefix inside parent. */
export function subnet(parent: Cidr, newPrefix: number, index: number): Cidr {
  if (newPrefix < parent.prefix || newPrefix > 32) throw new Error(`/${newPrefix} does not fit in /${parent.prefix}`);
  const blocks = 2 ** (newPrefix - parent.prefix);
  if (!Number.isInteger(index) || index < 0 || index >= blocks) throw new Error(`block ${index} of /${newPrefix} is outside /${parent.prefix}`);
  return { base: parent.base + index * 2 ** (32 - newPrefix), prefix: newPrefix };
}

export function contains(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix >= outer.prefix && inner.base >= outer.base && inner.base + 2 ** (32 - inner.prefix) <= outer.base + 2 ** (32 - outer.prefix);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const aEnd = a.base + 2 ** (32 - a.prefix);
  const bEnd = b.base + 2 ** (32 - b.prefix);
  return a.base < bEnd && b.base < aEnd;
}

/**
 * Splits a VPC into one private and one public subnet per AZ. Private subnets get the big blocks
 * (the VPC CNI gives every pod a VPC address); the public ones, which hold only load balancers and
 * NAT gateways, share the last big block. For a /16 over 3 AZs: three /18 private, three /22 public.
 */
export function layoutSubnets(vpc: string, azCount: number): { private: string[]; public: string[] } {
  const parent = parseCidr(vpc);
  const bits = Math.ceil(Math.log2(azCount + 1));
  const privatePrefix = parent.prefix + bits;
  const publicPool = subnet(parent, privatePrefix, 2 ** bits - 1);
  const publicPrefix = Math.max(parent.prefix + 6, publicPool.prefix + Math.ceil(Math.log2(azCount)));
  if (publicPrefix > 28) throw new Error(`${vpc} is too small for ${azCount} AZs`);
  return {
    private: Array.from({ length: azCount }, (_, i) => formatCidr(subnet(parent, privatePrefix, i))),
    public: Array.from({ length: azCount }, (_, i) => formatCidr(subnet(publicPool, publicPrefix, i))),
  };
}

/** True for a syntactically valid IPv4 CIDR (octets 0-255, prefix 0-32). */
export function isCidr(text: string): boolean {
  try {
    parseCidr(text);
    return true;
  } catch {
    return false;
  }
}
