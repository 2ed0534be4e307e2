// Headless Chromium: queued, delayed and in-flight jobs of cinnabar/queue
// survive a page reload when the store is persisted in IndexedDB
// (`Cinnabar.open("idb://…")`): after the reload a worker completes every job
// exactly once, the delayed one not before its time, and the job whose worker
// died with the page (its lock expired) is retried.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startServer } from "./server.mjs";
import { CHROMIUM } from "./chromium.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PAGE = "tests/browser/fixtures/queue-persist.html";
let server, profile, ctx;

before(async () => {
  assert.ok(existsSync(`${ROOT}pkg/dist/cinnabar_bg.wasm`), "pkg/dist is not built: run `npm run build`");
  server = await startServer(ROOT, { index: "/" });
  profile = mkdtempSync(join(tmpdir(), "cinnabar-queue-persist-"));
  ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});
after(async () => {
  await ctx?.close();
  await server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

test("queued, delayed and interrupted jobs survive a reload and complete exactly once", async () => {
  const problems = [];
  const page = await ctx.newPage();
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && problems.push(`console.error: ${m.text()}`));
  await page.goto(server.url + PAGE);
  await page.waitForSelector("body[data-ready='1']", { state: "attached", timeout: 15000 });

  // Before the reload: five jobs, one delayed, and a worker that takes one job and never finishes it.
  const before = await page.evaluate(async () => {
    const { Cinnabar, Queue, Worker } = window.api;
    const db = await Cinnabar.open("idb://jobs");
    const q = new Queue(db, "mail");
    await q.add("stuck", { n: 0 });
    for (let n = 1; n <= 3; n++) await q.add("send", { n });
    const delayedUntil = Date.now() + 1500;
    await q.add("later", { n: 4 }, { delay: 1500 });
    let started;
    const taken = new Promise((r) => (started = r));
    new Worker(q, (job) => { started(job.name); return new Promise(() => {}); }, { lockDuration: 400, stalledInterval: 200 });
    const name = await taken;
    await db.save();
    return { name, delayedUntil, counts: await q.getJobCounts() };
  });
  assert.equal(before.name, "stuck");
  assert.equal(before.counts.active, 1);
  assert.equal(before.counts.delayed, 1);
  assert.equal(before.counts.waiting, 3);

  await page.reload();
  await page.waitForSelector("body[data-ready='1']", { state: "attached", timeout: 15000 });
  const after = await page.evaluate(async (delayedUntil) => {
    const { Cinnabar, Queue, Worker } = window.api;
    const db = await Cinnabar.open("idb://jobs");
    const q = new Queue(db, "mail");
    const restored = await q.getJobCounts();
    const done = [];
    let delayedRanAt = 0;
    const w = new Worker(q, async (job) => {
      if (job.name === "later") delayedRanAt = Date.now();
      return job.data.n;
    }, { concurrency: 4, lockDuration: 400, stalledInterval: 200 });
    w.on("completed", (job, result) => done.push([job.name, result]));
    const deadline = Date.now() + 10000;
    while (done.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300)); // nothing may complete twice
    await w.close();
    return { restored, done, early: delayedRanAt < delayedUntil, counts: await q.getJobCounts() };
  }, before.delayedUntil);

  assert.equal(after.restored.delayed, 1, "the delayed job was restored");
  assert.equal(after.restored.waiting + after.restored.active, 4, "the queued and the interrupted jobs were restored");
  assert.deepEqual(after.done.map(([name, n]) => `${name}:${n}`).sort(), ["later:4", "send:1", "send:2", "send:3", "stuck:0"]);
  assert.equal(after.early, false, "the delayed job ran before its time");
  assert.equal(after.counts.completed, 5);
  assert.equal(after.counts.active + after.counts.waiting + after.counts.delayed + after.counts.failed, 0);
  assert.deepEqual(problems, []);
  await page.close();
});
