// IndexedDB persistence in headless Chromium (Debian's, via playwright-core):
// sessions written, the page reloaded (and the browser relaunched on the same
// profile) and read back with TTLs still counting; a page crashed in the middle
// of saving leaves a loadable snapshot (the previous or the new one, never a
// mix); two pages on one name keep both pages' writes (Web Locks + merge).
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
const PAGE = "tests/browser/fixtures/persist.html";
let server, profile, ctx;

async function launch() {
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

async function open(problems = []) {
  const page = await ctx.newPage();
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && problems.push(`console.error: ${m.text()}`));
  await page.goto(server.url + PAGE);
  await page.waitForSelector("body[data-ready='1']", { state: "attached", timeout: 15000 });
  return page;
}

before(async () => {
  assert.ok(existsSync(`${ROOT}pkg/dist/cinnabar_bg.wasm`), "pkg/dist is not built: run `npm run build`");
  server = await startServer(ROOT, { index: "/" });
  profile = mkdtempSync(join(tmpdir(), "cinnabar-persist-"));
  ctx = await launch();
});
after(async () => {
  await ctx?.close();
  await server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

test("sessions survive a reload and a browser restart, TTLs still counting", async () => {
  const problems = [];
  let page = await open(problems);
  const ids = await page.evaluate(async () => {
    const { Cinnabar, Sessions, hasLocks } = window.api;
    const db = await Cinnabar.open("idb://app");
    const long = new Sessions(db, { ttl: "10m" }).create({ user: "ada", role: "admin" });
    const short = new Sessions(db, { ttl: "1500ms" }).create({ user: "brief" });
    db.set("debounced", "yes"); // saved by the debouncer, no explicit save
    await new Promise((r) => setTimeout(r, 300));
    const generation = db.persistence.generation;
    // closed (as a page going away): the short session expires while nothing runs
    await db.close();
    return { long, short, hasLocks, generation };
  });
  assert.equal(ids.hasLocks, true);
  assert.ok(ids.generation >= 1);
  await page.waitForTimeout(1700);
  await page.reload();
  await page.waitForSelector("body[data-ready='1']", { state: "attached" });
  const after = await page.evaluate(async ({ long, short }) => {
    const { Cinnabar, Sessions } = window.api;
    const expired = [];
    const db = await Cinnabar.open("idb://app", { onExpired: (keys) => expired.push(...keys.map((k) => k.key)) });
    const s = new Sessions(db, { ttl: "10m" });
    const out = { long: s.get(long), short: s.get(short), ttl: s.ttlOf(long), expired, debounced: db.get("debounced"),
      raw: db.hgetall(s.key(long)).user };
    s.set(long, "visits", 2);
    await db.close();
    return out;
  }, ids);
  assert.deepEqual(after.long, { user: "ada", role: "admin" });
  assert.equal(after.short, null);
  assert.deepEqual(after.expired, ["sess:" + ids.short]);
  assert.equal(after.debounced, "yes");
  assert.equal(after.raw, "ada");
  assert.ok(after.ttl < 600000 - 1700 && after.ttl > 600000 - 10000, `ttl ${after.ttl}`);
  await page.close();

  // the whole browser goes away and comes back on the same profile
  await ctx.close();
  ctx = await launch();
  page = await open(problems);
  const again = await page.evaluate(async (long) => {
    const { Cinnabar, Sessions } = window.api;
    const db = await Cinnabar.open("idb://app");
    const s = new Sessions(db);
    const r = { data: s.get(long), ttl: s.ttlOf(long) };
    await db.close();
    return r;
  }, ids.long);
  assert.deepEqual(again.data, { user: "ada", role: "admin", visits: "2" });
  assert.ok(again.ttl > 0 && again.ttl < after.ttl);
  assert.deepEqual(problems, []);
  await page.close();
});

test("a page crashed mid-save leaves a loadable snapshot (old or new, never a mix)", async () => {
  const outcomes = [];
  for (const delay of [0, 5, 20, 60, 150]) {
    const name = `idb://crash${delay}`;
    const page = await open();
    await page.evaluate(async (name) => {
      const { Cinnabar } = window.api;
      const db = await Cinnabar.open(name, { saveDelay: 60000 });
      db.set("marker", "old");
      await db.save();
      // a big second generation, its save left running
      const p = db.pipeline();
      for (let i = 0; i < 200000; i++) p.set(`k${i}`, `value-${i}-${"x".repeat(20)}`);
      p.exec();
      db.set("marker", "new");
      window.saving = db.save().then(() => (window.saved = true));
    }, name);
    await new Promise((r) => setTimeout(r, delay));
    const cdp = await ctx.newCDPSession(page);
    // The renderer dies at once; the command itself never answers.
    await Promise.race([cdp.send("Page.crash").catch(() => {}), new Promise((r) => setTimeout(r, 1000))]);
    await page.close().catch(() => {});

    const check = await open();
    const r = await check.evaluate(async (name) => {
      const { Cinnabar } = window.api;
      const db = await Cinnabar.open(name);
      const r = { marker: db.get("marker"), size: db.dbsize(), generation: db.persistence.generation };
      await db.close();
      return r;
    }, name);
    await check.close();
    if (r.marker === "old") assert.deepEqual([r.size, r.generation], [1, 1], JSON.stringify(r));
    else assert.deepEqual([r.marker, r.size, r.generation], ["new", 200001, 2], JSON.stringify(r));
    outcomes.push(`${delay}ms:${r.marker}`);
  }
  // Most crashes land before the commit; report what happened.
  console.log(`# crash outcomes: ${outcomes.join(" ")}`);
  assert.ok(outcomes.some((o) => o.endsWith(":old")), "at least one crash hit the save before it committed");
});

test("two pages on one name keep both pages' writes", async () => {
  const problems = [];
  const a = await open(problems);
  const b = await open(problems);
  const start = (page, me) =>
    page.evaluate(async (me) => {
      const { Cinnabar } = window.api;
      window.db = await Cinnabar.open("idb://shared", { durability: "relaxed", saveDelay: 50 });
      window.syncs = 0;
      window.db.persistence.on("sync", () => window.syncs++);
      for (let i = 0; i < 50; i++) window.db.set(`${me}:${i}`, String(i));
      window.db.incrby("counter:" + me, 5);
    }, me);
  await start(a, "a");
  await start(b, "b");
  // both debounced saves run; each merges the other's under its own keys
  const settle = (page) => page.waitForFunction(() => window.db.dbsize() === 102, null, { timeout: 10000 });
  await settle(a);
  await settle(b);
  // interleaved writes to the same key: the last saved writer wins everywhere
  await a.evaluate(() => window.db.set("shared", "from a"));
  await a.evaluate(() => window.db.save());
  await b.evaluate(() => window.db.set("shared", "from b"));
  await b.evaluate(() => window.db.save());
  await a.waitForFunction(() => window.db.get("shared") === "from b", null, { timeout: 10000 });
  await b.evaluate(() => window.db.del("b:0"));
  await b.evaluate(() => window.db.save());
  await a.waitForFunction(() => window.db.exists("b:0") === 0, null, { timeout: 10000 });
  for (const p of [a, b]) await p.evaluate(() => window.db.close());
  const c = await open(problems);
  const seen = await c.evaluate(async () => {
    const { Cinnabar } = window.api;
    const db = await Cinnabar.open("idb://shared");
    const keys = db.keys("*");
    const r = { n: keys.length, a: keys.filter((k) => k.startsWith("a:")).length, b: keys.filter((k) => k.startsWith("b:")).length,
      shared: db.get("shared"), ca: db.get("counter:a"), cb: db.get("counter:b") };
    await db.close();
    return r;
  });
  assert.deepEqual(seen, { n: 102, a: 50, b: 49, shared: "from b", ca: "5", cb: "5" });
  assert.deepEqual(problems, []);
  for (const p of [a, b, c]) await p.close();
});
