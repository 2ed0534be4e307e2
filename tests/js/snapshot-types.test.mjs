// The snapshot, persistence and sessions declarations type-check under
// tsc --strict against a usage file (tests/js/fixtures/snapshot-usage.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { spawnSync } from "node:child_process";
import { PKG, ROOT } from "./load.mjs";

test("snapshot, persistence and sessions types compile under tsc --strict", () => {
  const dir = mkdtempSync(join(tmpdir(), "cinnabar-snap-types-"));
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
        paths: { cinnabar: [join(PKG, "index.d.ts")], "cinnabar/sessions": [join(PKG, "sessions.d.ts")] },
      },
      files: [join(ROOT, "tests/js/fixtures/snapshot-usage.ts")],
    };
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(config));
    const r = spawnSync(join(ROOT, "node_modules/.bin/tsc"), ["-p", join(dir, "tsconfig.json")], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
