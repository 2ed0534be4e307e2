// Headless Chromium: cinnabar/queue in a page with the real clock: a delayed
// job, retries with backoff, concurrency 8, progress, QueueEvents; every job
// completed exactly once. (Survival of a reload needs the IndexedDB snapshots
// of issue 7: see the note in pkg/src/queue.js.)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startServer } from "./server.mjs";
import { launch, watchedPage } from "./chromium.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
let server, browser;

before(async () => {
  assert.ok(existsSync(`${ROOT}pkg/dist/cinnabar_bg.wasm`), "pkg/dist is not built: run `npm run build`");
  server = await startServer(ROOT);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test("a queue and a worker run in a page", async () => {
  const { page, problems } = await watchedPage(browser.ctx);
  await page.goto(`${server.url}tests/browser/queue/index.html`);
  await page.waitForSelector("body[data-ready='1']", { timeout: 15000, state: "attached" });
  const n = 300;
  const r = await page.evaluate((n) => window.api.run(n), n);
  assert.equal(Object.keys(r.completed).length, n + 1);
  assert.equal(r.twice, 0);
  assert.equal(r.failed, n / 10);
  assert.equal(r.progress, n + 1 + n / 10);
  assert.equal(r.events, n + 1);
  assert.ok(r.delayedAt >= 100, `the delayed job ran after ${r.delayedAt} ms`);
  assert.deepEqual(r.counts, { waiting: 0, prioritized: 0, active: 0, delayed: 0, completed: n + 1, failed: 0, paused: 0 });
  assert.deepEqual(r.plain, { completed: n + 1, wait: 0, active: 0 });
  assert.deepEqual(problems, []);
  await page.close();
});
