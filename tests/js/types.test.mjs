// index.d.ts: declares every command of the wasm's table (so a new family must
// add its types), and type-checks under `tsc --strict` against a usage file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { spawnSync } from "node:child_process";
import { commandNames, PKG, ROOT } from "./load.mjs";

const dts = readFileSync(join(PKG, "index.d.ts"), "utf8");

function declaredCommands() {
  const body = dts.match(/export interface CommandSignatures \{([\s\S]*?)\n\}/);
  assert.ok(body, "index.d.ts has no `export interface CommandSignatures { ... }`");
  return new Set([...body[1].matchAll(/^ {2}([a-z][a-z0-9_]*)\(/gm)].map((m) => m[1]));
}

test("every command of the wasm's table is declared in index.d.ts", () => {
  const declared = declaredCommands();
  const missing = commandNames().filter((n) => !declared.has(n));
  assert.deepEqual(missing, [], `add typed signatures (with TSDoc and an example) to CommandSignatures in pkg/index.d.ts`);
});

test("every declared command has TSDoc with an @example", () => {
  const body = dts.match(/export interface CommandSignatures \{([\s\S]*?)\n\}/)[1];
  for (const m of body.matchAll(/\/\*\*([\s\S]*?)\*\/\s*\n {2}([a-z0-9_]+)\(/g)) {
    assert.match(m[1], /@example/, `${m[2]} needs an @example`);
  }
  const documented = [...body.matchAll(/\*\/\s*\n {2}([a-z0-9_]+)\(/g)].length;
  assert.equal(documented, declaredCommands().size, "each command signature has a doc comment");
});

test("index.d.ts type-checks a usage file under tsc --strict", () => {
  const tsc = join(ROOT, "node_modules/.bin/tsc");
  const dir = mkdtempSync(join(tmpdir(), "cinnabar-types-"));
  try {
    const config = {
      compilerOptions: {
        strict: true,
        types: [], // no @types from node_modules folders above the temp dir (hermetic)
        noEmit: true,
        target: "es2022",
        module: "esnext",
        moduleResolution: "bundler",
        lib: ["es2022", "dom", "esnext.disposable"],
        paths: { cinnabar: [join(PKG, "index.d.ts")], "cinnabar/queue": [join(PKG, "queue.d.ts")] },
      },
      files: [join(ROOT, "tests/js/fixtures/types-usage.ts"), join(ROOT, "tests/js/fixtures/queue-types-usage.ts")],
    };
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(config));
    const r = spawnSync(tsc, ["-p", join(dir, "tsconfig.json")], { encoding: "utf8" });
    assert.equal(r.error, undefined, `cannot run ${tsc}: npm ci first`);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
