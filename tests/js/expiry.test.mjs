// Active expiry: the package's timer (every 1000/hz ms, started at the first
// command, unref'd in Node, cleared by close()) deletes keys nobody reads.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { Cinnabar, commandNames, PKG } from "./load.mjs";

// Counts the package's live intervals by wrapping the globals it calls.
const live = new Set();
const { setInterval: si, clearInterval: ci } = globalThis;
globalThis.setInterval = (...a) => {
  const t = si(...a);
  live.add(t);
  return t;
};
globalThis.clearInterval = (t) => {
  live.delete(t);
  return ci(t);
};
const timers = () => live.size;

test("the timer expires keys that are never read (PEXPIRE + DBSIZE)", async () => {
  for (const c of ["pexpire", "dbsize"]) {
    assert.ok(commandNames().includes(c), `this test needs ${c.toUpperCase()} (keys family) in the wasm build`);
  }
  const db = new Cinnabar({ hz: 100 });
  for (let i = 0; i < 50; i++) {
    db.set("tmp:" + i, "v");
    assert.equal(db.pexpire("tmp:" + i, 20), 1);
  }
  db.set("keep", "v");
  assert.equal(db.dbsize(), 51);
  // DBSIZE does not expire keys lazily: only the timer can bring it down.
  const deadline = Date.now() + 3000;
  while (db.dbsize() > 1 && Date.now() < deadline) await sleep(25);
  assert.equal(db.dbsize(), 1);
  assert.equal(db.get("keep"), "v");
  db.close();
});

test("the timer starts at the first command and stops at the last close()", () => {
  const before = timers();
  const db = new Cinnabar();
  assert.equal(timers(), before, "no timer before the first command");
  db.ping();
  assert.equal(timers(), before + 1);
  assert.equal([...live].at(-1).hasRef(), false, "unref'd in Node");
  const dup = db.duplicate();
  dup.ping();
  assert.equal(timers(), before + 1, "one timer per store, shared by duplicates");
  db.close();
  assert.equal(timers(), before + 1, "still running while a duplicate is open");
  dup.close();
  assert.equal(timers(), before);
  for (const t of live) assert.equal(t.hasRef(), false, "unref'd");
});

test("an unclosed store does not keep Node from exiting", () => {
  const script = `import { Cinnabar } from ${JSON.stringify(PKG + "node.js")};
    const db = new Cinnabar({ hz: 1 }); db.set("k", "v"); console.log(db.get("k"));`;
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 10000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), "v");
  assert.ok(Date.now() - t0 < 5000, "exited promptly");
});
