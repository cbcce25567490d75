import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { contains, formatCidr, layoutSubnets, overlaps, parseCidr, subnet } from "./cidr";

const vpcArb = fc
  .record({ a: fc.integer({ min: 0, max: 255 }), b: fc.integer({ min: 0, max: 255 }), prefix: fc.integer({ min: 16, max: 20 }) })
  .map(({ a, b, prefix }) => formatCidr(parseCidr(`10.${a}.${b}.0/${prefix}`)));

describe("cidr", () => {
  it("parses and formats round-trip, normalising host bits", () => {
    assert.equal(formatCidr(parseCidr("10.1.2.3/16")), "10.1.0.0/16");
    assert.equal(formatCidr(subnet(parseCidr("10.0.0.0/16"), 18, 3)), "10.0.192.0/18");
    assert.throws(() => parseCidr("10.0.0.0/33"), /not an IPv4 CIDR/);
    assert.throws(() => subnet(parseCidr("10.0.0.0/16"), 18, 4), /outside/);
  });

  it("layout: every subnet lies inside the VPC and no two subnets overlap, for any /16-/20 VPC and 2-6 AZs", () => {
    fc.assert(fc.property(vpcArb, fc.integer({ min: 2, max: 6 }), (vpc, azs) => {
      const layout = layoutSubnets(vpc, azs);
      const all = [...layout.private, ...layout.public].map(parseCidr);
      assert.equal(layout.private.length, azs);
      assert.equal(layout.public.length, azs);
      for (const s of all) assert.ok(contains(parseCidr(vpc), s), `${formatCidr(s)} in ${vpc}`);
      for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) assert.ok(!overlaps(all[i], all[j]));
    }));
  });

  it("layout: private subnets are at least 8 times larger than public ones (pods take VPC addresses)", () => {
    fc.assert(fc.property(vpcArb, fc.integer({ min: 2, max: 6 }), (vpc, azs) => {
      const layout = layoutSubnets(vpc, azs);
      assert.ok(parseCidr(layout.public[0]).prefix - parseCidr(layout.private[0]).prefix >= 3);
    }));
  });
});
