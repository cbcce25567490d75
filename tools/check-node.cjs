// Preflight of every npm script that runs project code (package.json pre<script> hooks): on a Node
// older than package.json `engines.node`, stop at once and say which Node is needed and how to get
// it, instead of failing later with an error that says nothing about Node (Node 20's test runner
// takes the test globs literally: "Could not find 'catalog/**/*.test.ts'").
//
// Plain ES5 CommonJS on purpose: it must run, and refuse, on whatever old Node a machine has.
// `node tools/check-node.cjs --node-version 20.11.0` checks a given version instead of this one.
"use strict";

var fs = require("fs");
var path = require("path");

var ROOT = path.join(__dirname, "..");

/** "v20.20.2", "20.20", "20" -> [20, 20, 2], [20, 20, 0], [20, 0, 0]; null if not a version. */
function parseVersion(text) {
  var m = /^\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(String(text));
  return m ? [Number(m[1]), Number(m[2] || 0), Number(m[3] || 0)] : null;
}

function compare(a, b) {
  for (var i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

/** One comparator of a semver range as [lowest allowed or null, below this or null, lowInclusive]. */
function bounds(comparator) {
  var m = /^(>=|<=|>|<|=|\^|~)?v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:[-+][0-9A-Za-z.-]*)?$/.exec(comparator);
  if (!m) return null;
  var op = m[1] || "=";
  var parts = [m[2], m[3], m[4]];
  var known = 0; // how many leading parts are numbers; the rest are wildcards
  while (known < 3 && parts[known] !== undefined && /^\d+$/.test(parts[known])) known++;
  var v = [0, 0, 0];
  for (var i = 0; i < known; i++) v[i] = Number(parts[i]);
  // The version just past every version the given parts match: 22 -> 23.0.0, 22.1 -> 22.2.0.
  var next = null;
  if (known > 0) {
    next = [0, 0, 0];
    for (var k = 0; k < known; k++) next[k] = v[k];
    next[known - 1] += 1;
  }
  switch (op) {
    case ">=": return [v, null];
    case ">": return next ? [next, null] : [[Infinity, 0, 0], null];
    case "<": return [null, known === 0 ? [0, 0, 0] : v];
    case "<=": return [null, next];
    case "^": {
      // ^22.1.0 -> <23.0.0; ^0.2.3 -> <0.3.0; ^0.0.3 -> <0.0.4 (the first non-zero part is fixed)
      var up = known === 0 ? null : [0, 0, 0];
      if (up) {
        var fixed = 0;
        while (fixed < known - 1 && v[fixed] === 0) fixed++;
        for (var j = 0; j < fixed; j++) up[j] = v[j];
        up[fixed] = v[fixed] + 1;
      }
      return [v, up];
    }
    case "~": return [v, known <= 1 ? next : [v[0], v[1] + 1, 0]];
    default: return [v, next]; // "=" or a bare (partial) version
  }
}

/**
 * Whether `version` satisfies the semver `range` as package.json engines write it (`>=22`,
 * `^22.12.0 || >=24`, `22.x`, `>=22 <25`, `22 - 24`). null when the range is not understood.
 */
function satisfies(version, range) {
  var v = parseVersion(version);
  if (!v) return null;
  var alternatives = String(range).split("||");
  var understood = true;
  for (var a = 0; a < alternatives.length; a++) {
    var text = alternatives[a].replace(/(>=|<=|>|<|=|\^|~)\s+/g, "$1").trim();
    var hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(text);
    var comparators = hyphen ? [">=" + hyphen[1], "<=" + hyphen[2]] : text === "" ? ["*"] : text.split(/\s+/);
    var ok = true;
    for (var c = 0; c < comparators.length; c++) {
      var b = bounds(comparators[c]);
      if (!b) {
        understood = false;
        ok = false;
        break;
      }
      if ((b[0] && compare(v, b[0]) < 0) || (b[1] && compare(v, b[1]) >= 0)) ok = false;
    }
    if (ok) return true;
  }
  return understood ? false : null;
}

function readText(file) {
  try {
    return fs.readFileSync(path.join(ROOT, file), "utf8");
  } catch (e) {
    return null;
  }
}

/** What this checkout asks for: engines.node of package.json and the major of .nvmrc. */
function requirements() {
  var pkg = readText("package.json");
  var range = null;
  try {
    range = JSON.parse(pkg).engines.node;
  } catch (e) {
    range = null;
  }
  var nvmrc = readText(".nvmrc");
  return { range: range, target: nvmrc ? nvmrc.trim().replace(/^v/, "") : null };
}

/** The refusal: the Node needed, the Node found, and how to get the right one. */
function message(found, range, target, platform, arch, execPath) {
  var want = target || String(range).replace(/[^0-9.]/g, "") || "24";
  var major = String(want).split(".")[0];
  var lines = [
    "llm-platform needs Node " + range + " (package.json engines.node; the project targets Node " + want + " LTS, .nvmrc),",
    "but this is Node " + found + (execPath ? " (" + execPath + ")" : "") + ".",
    "",
    "Get Node " + major + ":"
  ];
  if (platform === "linux" && (arch === "x64" || arch === "arm64")) {
    var pkg = "node-linux-" + arch;
    lines.push("  npm install --prefix ~/.node" + major + " " + pkg + "@" + major);
    lines.push("  export PATH=~/.node" + major + "/node_modules/" + pkg + "/bin:$PATH");
    lines.push("or with nvm:");
  }
  lines.push("  nvm install && nvm use    # reads .nvmrc");
  lines.push("or from https://nodejs.org/en/download.");
  lines.push("Then run npm ci and this command again.");
  return lines.join("\n");
}

/** { ok, message } for a Node version; ok is true when the range cannot be read (warned, not refused). */
function check(version, req, platform, arch, execPath) {
  if (!req.range) return { ok: true, message: "check-node: package.json has no engines.node; not checking the Node version" };
  var result = satisfies(version, req.range);
  if (result === null) return { ok: true, message: "check-node: cannot read engines.node " + JSON.stringify(req.range) + "; not checking the Node version" };
  return { ok: result, message: result ? "" : message(version, req.range, req.target, platform, arch, execPath) };
}

function main(argv) {
  var i = argv.indexOf("--node-version");
  var injected = i >= 0 ? argv[i + 1] : undefined;
  var version = injected || process.version;
  var r = check(version, requirements(), process.platform, process.arch, injected ? null : process.execPath);
  if (r.message) process.stderr.write(r.message + "\n");
  return r.ok ? 0 : 1;
}

module.exports = { parseVersion: parseVersion, satisfies: satisfies, requirements: requirements, message: message, check: check };

if (require.main === module) process.exitCode = main(process.argv.slice(2));
