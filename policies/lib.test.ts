import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { effectiveTags, known, plain, read, UNKNOWN } from "./lib";
import { baseline, NAMES, violations, withInputs } from "../test/policy-args";

// The SDK wraps props in this proxy during a preview: reading a value that is not known yet throws.
/* eslint-disable @typescript-eslint/no-require-imports */
const proxy = require("@pulumi/policy/proxy") as { unknownCheckingProxy<T>(v: T): T; unknownStringValue: unknown; unknownObjectValue: unknown };
/* eslint-enable @typescript-eslint/no-require-imports */

describe("reading props during a preview", () => {
  it("plain() drops unknown array elements instead of aborting (Array.map would read them unguarded)", () => {
    const props = proxy.unknownCheckingProxy({ vpcConfig: { securityGroupIds: [proxy.unknownStringValue], endpointPublicAccess: false } });
    assert.deepEqual(plain(props.vpcConfig), { securityGroupIds: [undefined], endpointPublicAccess: false });
  });

  it("read() tells an unknown value from an absent one", () => {
    const props = proxy.unknownCheckingProxy({ encryptionConfig: proxy.unknownObjectValue }) as Record<string, unknown>;
    assert.equal(read(() => props.encryptionConfig), UNKNOWN);
    assert.equal(read(() => props.absent), undefined);
    assert.equal(known(() => props.encryptionConfig), undefined);
  });

  it("effectiveTags merges provider default tags (object or JSON string) under the resource's own", () => {
    const provider = { type: "pulumi:providers:aws", urn: "p", name: "p", props: { defaultTags: JSON.stringify({ tags: { environment: "dev", owner: "a" } }) } };
    assert.deepEqual(effectiveTags({ tags: { owner: "b" } }, provider), { environment: "dev", owner: "b" });
  });

  it("the encryption and endpoint policies skip a cluster whose settings are not known yet, rather than failing or passing wrongly", async () => {
    const resources = withInputs(baseline(), NAMES.cluster, (i) => {
      i.encryptionConfig = proxy.unknownObjectValue;
      i.vpcConfig = proxy.unknownObjectValue;
    });
    for (const r of resources) r.inputs = proxy.unknownCheckingProxy(r.inputs);
    assert.deepEqual(await violations("eks-cluster-secrets-encryption", resources), []);
    assert.deepEqual(await violations("eks-cluster-endpoint-access", resources), []);
  });
});
