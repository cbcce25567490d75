import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { POLICIES } from "../policies/policies";

// Starts policies/index.ts the way `pulumi preview --policy-pack policies` does (working directory
// policies/, the pack prints its gRPC port on stdout) and asks it what it serves.

/* eslint-disable @typescript-eslint/no-require-imports */
const analyzerGrpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const { Empty } = require("google-protobuf/google/protobuf/empty_pb");
/* eslint-enable @typescript-eslint/no-require-imports */

const POLICY_DIR = path.resolve(__dirname, "../policies");

describe("the policy pack as the Pulumi CLI runs it", () => {
  let child: ChildProcess;
  let client: any;

  before(async () => {
    child = spawn(process.execPath, ["--import", "tsx", "index.ts"], { cwd: POLICY_DIR, stdio: ["ignore", "pipe", "pipe"] });
    const port = await new Promise<string>((resolve, reject) => {
      let out = "";
      let err = "";
      child.stdout!.on("data", (d) => {
        out += d;
        const m = /^(\d+)\s*$/m.exec(out);
        if (m) resolve(m[1]);
      });
      child.stderr!.on("data", (d) => (err += d));
      child.on("exit", (code) => reject(new Error(`policy pack exited ${code}: ${err}`)));
    });
    client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });

  after(() => {
    client?.close();
    child?.kill();
  });

  it("serves every policy of policies.ts, with its severity, remediation and config schema", async () => {
    const info = await new Promise<any>((resolve, reject) => client.getAnalyzerInfo(new Empty(), (e: Error | null, r: any) => (e ? reject(e) : resolve(r))));
    assert.equal(info.getName(), "llm-platform");
    assert.match(info.getVersion(), /^\d+\.\d+\.\d+$/);
    const served = info.getPoliciesList();
    assert.deepEqual(served.map((p: any) => p.getName()), POLICIES.map((p) => p.name));
    for (const p of served) {
      const local = POLICIES.find((x) => x.name === p.getName())!;
      assert.equal(p.getDescription(), local.description);
      assert.equal(p.getRemediationSteps(), local.remediationSteps);
      assert.ok(p.getSeverity() > 0, `${p.getName()} has a severity`);
    }
  });
});
