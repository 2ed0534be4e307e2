// Packaging: `npm pack` + install into a scratch project, then import by the
// package name from ESM and require() it from CommonJS (Node's "node" condition).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { packAndInstall } from "./pack.mjs";
import { PKG } from "./load.mjs";

const consumer = packAndInstall();
after(() => consumer.cleanup());

const run = (file, src) => {
  writeFileSync(join(consumer.dir, file), src);
  return execFileSync(process.execPath, [file], { cwd: consumer.dir, encoding: "utf8" }).trim();
};

test("the tarball holds the entries, the API, the types and the wasm, and nothing else", () => {
  const files = consumer.files.sort();
  for (const f of ["package.json", "node.js", "browser.js", "workerd.js", "index.d.ts", "src/cinnabar.js", "queue.js", "queue.d.ts", "src/queue.js",
    "dist/cinnabar.js", "dist/cinnabar_bg.wasm"]) {
    assert.ok(files.includes(f), `${f} missing from the tarball: ${files.join(", ")}`);
  }
  for (const f of files) assert.match(f, /^(package\.json|README\.md|node\.js|browser\.js|workerd\.js|index\.d\.ts|sessions\.(js|d\.ts)|queue\.js|queue\.d\.ts|src\/.*\.js|dist\/cinnabar(_bg)?\.(js|wasm|d\.ts)|dist\/cinnabar_bg\.wasm\.d\.ts)$/);
  const pj = JSON.parse(readFileSync(join(PKG, "package.json"), "utf8"));
  assert.equal(pj.name, "cinnabar");
  assert.equal(pj.version, "0.1.0");
  assert.deepEqual(Object.keys(pj.exports["."]), ["types", "workerd", "worker", "node", "browser", "default"]);
});

test("ESM: import { Cinnabar } from \"cinnabar\" with no init call", () => {
  const out = run(
    "esm.mjs",
    `import { Cinnabar, ReplyError, Pipeline } from "cinnabar";
     const db = new Cinnabar();
     db.set("user:1", "ada");
     let code = "";
     try { db.call("GET"); } catch (e) { code = e instanceof ReplyError ? e.code : "?"; }
     const p = db.pipeline().set("a", "1").get("a");
     console.log(JSON.stringify([db.get("user:1"), code, p instanceof Pipeline, p.exec()]));`,
  );
  assert.equal(out, JSON.stringify(["ada", "ERR", true, [[null, "OK"], [null, "1"]]]));
});

test('snapshots and "cinnabar/sessions" from the installed tarball', () => {
  const out = run(
    "sessions.mjs",
    `import { Cinnabar, SnapshotError } from "cinnabar";
     import { Sessions } from "cinnabar/sessions";
     const db = new Cinnabar();
     const s = new Sessions(db, { ttl: "30m" });
     const id = s.create({ user: "ada" });
     const copy = Cinnabar.fromSnapshot(db.snapshot());
     let bad = "";
     try { copy.restore(new Uint8Array(3)); } catch (e) { bad = e instanceof SnapshotError ? "refused" : "?"; }
     console.log(JSON.stringify([new Sessions(copy).get(id), bad]));`,
  );
  assert.equal(out, JSON.stringify([{ user: "ada" }, "refused"]));
});

test("ESM: import { Queue, Worker } from \"cinnabar/queue\" shares the store class of \"cinnabar\"", () => {
  const out = run(
    "queue.mjs",
    `import { Cinnabar } from "cinnabar";
     import { Queue, Worker } from "cinnabar/queue";
     const db = new Cinnabar();
     const q = new Queue(db, "email");
     await q.add("welcome", { to: "a@b.c" });
     const w = new Worker(q, async (job) => "sent " + job.data.to);
     const r = await new Promise((res) => w.on("completed", (job, v) => res(v)));
     await w.close();
     console.log(JSON.stringify([r, db.zcard("queue:email:completed"), (await new Queue("solo").add("x", 1)).id]));`,
  );
  assert.equal(out, JSON.stringify(["sent a@b.c", 1, "1"]));
});

test("CommonJS: require(\"cinnabar\") works (Node ≥ 20.19 require(esm))", () => {
  const out = run(
    "cjs.cjs",
    `const { Cinnabar } = require("cinnabar");
     const db = new Cinnabar();
     db.set("k", "v");
     console.log(db.get("k"));`,
  );
  assert.equal(out, "v");
});

test("the package's own wasm is reachable as cinnabar/cinnabar_bg.wasm", () => {
  const out = run(
    "wasm.mjs",
    `import { createRequire } from "node:module";
     const p = import.meta.resolve("cinnabar/cinnabar_bg.wasm");
     console.log(p.endsWith("/node_modules/cinnabar/dist/cinnabar_bg.wasm"));`,
  );
  assert.equal(out, "true");
});
