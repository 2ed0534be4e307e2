// The README's examples run against the built package: every ```js block that
// imports "cinnabar" runs as an ES module in a fresh Node process (with
// fake-indexeddb for `idb://`), and a line such as
//     db.get("user:1");            // "ada"
// is checked: when the comment (or its part before " (") is a JSON-like
// literal, the expression on the line must equal it (compared as JSON). A
// comment alone on the line after an expression checks that expression.
// Comments that are prose, and declarations, are left alone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { execFileSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const README = join(ROOT, "README.md");
const ENTRIES = {
  cinnabar: "pkg/node.js",
  "cinnabar/queue": "pkg/queue.js",
  "cinnabar/sessions": "pkg/sessions.js",
};

/** The ```js blocks of the README, with the line each starts on. */
function blocks(md) {
  const out = [];
  const lines = md.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== "```js") continue;
    const start = i + 2;
    const body = [];
    for (i++; i < lines.length && lines[i].trim() !== "```"; i++) body.push(lines[i]);
    out.push({ start, lines: body });
  }
  return out;
}

/** The literal a comment states, or undefined when it is prose. */
function literal(comment) {
  const cands = [comment];
  for (let i = comment.indexOf(" ("); i > 0; i = comment.indexOf(" (", i + 1)) cands.push(comment.slice(0, i));
  for (const c of cands) {
    if (!/^(["\[{\-\d]|null$|true$|false$)/.test(c.trim())) continue;
    try {
      const v = Function(`"use strict"; return (${c});`)();
      if (typeof v !== "function") return c;
    } catch {}
  }
  return undefined;
}

const balanced = (s) => {
  let d = 0;
  for (const ch of s.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`/g, '""')) {
    if ("([{".includes(ch)) d++;
    else if (")]}".includes(ch)) d--;
    if (d < 0) return false;
  }
  return d === 0;
};
const statement = (code) =>
  code.endsWith(";") && !/^(const|let|var|import|export|if|for|while|try|return|function|async function)\b/.test(code) && balanced(code);

/** Rewrites one block into a runnable module with checks; returns { source, checks }. */
function instrument({ start, lines }) {
  let checks = 0;
  const out = lines.map((line, k) => {
    const m = line.match(/^(\s*)(.*?;)\s*\/\/ (.*)$/);
    if (m && statement(m[2])) {
      const lit = literal(m[3]);
      if (lit !== undefined) {
        checks++;
        return `${m[1]}__check(${m[2].slice(0, -1)}, (${lit}), ${start + k});`;
      }
    }
    const alone = line.match(/^\s*\/\/ (.*)$/);
    const prev = lines[k - 1]?.trimEnd();
    if (alone && prev && statement(prev.trim()) && !prev.includes("//")) {
      const lit = literal(alone[1]);
      if (lit !== undefined) {
        checks++;
        return `__check(__last, (${lit}), ${start + k});`;
      }
    }
    const next = lines[k + 1]?.match(/^\s*\/\/ (.*)$/);
    if (next && statement(line.trim()) && !line.includes("//") && literal(next[1]) !== undefined) {
      return line.replace(/^(\s*)(.*);\s*$/, "$1__last = ($2);");
    }
    return line;
  });
  let source = out.join("\n");
  for (const [name, file] of Object.entries(ENTRIES)) {
    source = source.replaceAll(`from "${name}"`, `from ${JSON.stringify(pathToFileURL(join(ROOT, file)).href)}`);
  }
  const prelude = `let __last;
const __json = (v) => (v === undefined ? "undefined" : JSON.parse(JSON.stringify(v, (k, x) => (typeof x === "bigint" ? String(x) : x))));
const __check = (got, want, line) => {
  const a = JSON.stringify(__json(got)), b = JSON.stringify(__json(want));
  if (a !== b) { console.error("README.md:" + line + ": got " + a + ", the README says " + b); process.exitCode = 1; }
};
`;
  return { source: prelude + source, checks };
}

const md = readFileSync(README, "utf8");
const runnable = blocks(md).filter((b) => b.lines.some((l) => /from "cinnabar(\/\w+)?"/.test(l)));

test("the README has runnable examples for Node, the bundler, the Worker and the six uses", () => {
  assert.ok(runnable.length >= 9, `only ${runnable.length} runnable js blocks in README.md`);
});

for (const block of runnable) {
  test(`README.md example at line ${block.start} runs and its commented values hold`, (t) => {
    const { source, checks } = instrument(block);
    const dir = mkdtempSync(join(tmpdir(), "cinnabar-readme-"));
    try {
      const file = join(dir, "example.mjs");
      writeFileSync(file, source);
      let stderr = "";
      try {
        execFileSync(process.execPath, ["--import", "fake-indexeddb/auto", file], {
          cwd: ROOT,
          encoding: "utf8",
          timeout: 30_000,
          stdio: ["ignore", "pipe", "pipe"],
        });
      } catch (e) {
        stderr = `${e.stderr ?? ""}${e.signal ? ` (killed by ${e.signal}: did the example leave something open?)` : ""}`;
      }
      assert.equal(stderr, "", `README.md example at line ${block.start} failed:\n${stderr}`);
      t.diagnostic(`${checks} values checked`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
