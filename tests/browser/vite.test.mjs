// Bundler check: a tiny app importing "cinnabar" from the packed tarball is
// built with Vite (the .wasm is emitted as an asset from browser.js's
// `new URL(…, import.meta.url)`, no plugin), and the built page runs in Chromium.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { packAndInstall } from "../js/pack.mjs";
import { startServer } from "./server.mjs";
import { launch, watchedPage } from "./chromium.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const VITE = join(ROOT, "node_modules/vite/bin/vite.js");
const cleanups = [];
after(async () => {
  for (const f of cleanups.reverse()) await f();
});

test("vite build of an app importing cinnabar and cinnabar/queue, loaded in Chromium", async () => {
  assert.ok(existsSync(VITE), `${VITE} is missing: npm ci`);
  const app = packAndInstall();
  cleanups.push(app.cleanup);
  writeFileSync(
    join(app.dir, "index.html"),
    `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>vite app</title>
     <pre id="out"></pre><script type="module" src="/main.js"></script>`,
  );
  writeFileSync(
    join(app.dir, "main.js"),
    `import { Cinnabar, ReplyError } from "cinnabar";
     import { Queue, Worker } from "cinnabar/queue";
     const db = new Cinnabar();
     db.set("bundled", "yes");
     let code = "";
     try { db.call("NOPE"); } catch (e) { code = e instanceof ReplyError ? e.code : String(e); }
     const tx = db.multi().set("n", "1").get("n").exec();
     const q = new Queue(db, "jobs");
     const w = new Worker(q, async (job) => job.data * 2);
     const done = new Promise((r) => w.on("completed", (job, v) => r(v)));
     await q.add("double", 21);
     const doubled = await done;
     await w.close();
     document.getElementById("out").textContent = JSON.stringify([db.get("bundled"), code, tx, doubled, db.zcard("queue:jobs:completed")]);`,
  );
  execFileSync(process.execPath, [VITE, "build", "--logLevel", "warn"], { cwd: app.dir, encoding: "utf8" });
  const assets = readdirSync(join(app.dir, "dist/assets"));
  assert.ok(assets.some((f) => f.endsWith(".wasm")), `no .wasm asset emitted: ${assets}`);

  const server = await startServer(join(app.dir, "dist"), { index: "/" });
  cleanups.push(server.close);
  const browser = await launch();
  cleanups.push(browser.close);
  const { page, problems } = await watchedPage(browser.ctx);
  await page.goto(server.url);
  await page.waitForFunction(() => document.getElementById("out")?.textContent, null, { timeout: 15000 });
  const out = JSON.parse(await page.locator("#out").textContent());
  assert.deepEqual(out, ["yes", "ERR", [[null, "OK"], [null, "1"]], 42, 1]);
  assert.deepEqual(problems, []);
});
