// Headless Chromium (Debian's, via playwright-core) loads www/index.html from a
// static server on 127.0.0.1: the page imports the package through an import
// map (→ /pkg/browser.js, top-level await, no init call), a user types Redis
// commands into the demo's console panel, and a module Worker imports
// pkg/browser.js by path. (tests/browser/demo.test.mjs drives the other panels.)
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

test("the console page runs typed commands and shows the replies", async () => {
  const { page, problems } = await watchedPage(browser.ctx);
  await page.goto(server.url);
  await page.waitForSelector("body[data-ready='1'][data-worker='1']", { timeout: 15000 });
  const type = async (line) => {
    const before = await page.locator("#log > div").count();
    await page.fill("#cmd", line);
    await page.press("#cmd", "Enter");
    await page.waitForFunction((n) => document.querySelectorAll("#log > div").length >= n + 2, before);
    return page.locator("#log > div").nth(before + 1).textContent();
  };
  assert.equal(await type('SET greeting "hello world"'), "OK"); // a status reply, bare as redis-cli prints it
  assert.equal(await type("GET greeting"), '"hello world"');
  assert.equal(await type("GET nothing"), "(nil)");
  assert.equal(await type("DEL greeting nothing"), "(integer) 1");
  assert.equal(await type("GET"), "(error) ERR wrong number of arguments for 'get' command");
  assert.equal(await type("MULTI"), "OK");
  assert.equal(await type("SET a 1"), "QUEUED");
  await type("GET a");
  assert.equal(await type("EXEC"), '1) OK\n2) "1"');
  // the page's store is reachable for assertions: same data the user typed
  assert.equal(await page.evaluate(() => window.cinnabar.db.get("a")), "1");
  const bin = await page.evaluate(() => {
    const { db } = window.cinnabar;
    db.set(new Uint8Array([0xff, 0, 0x80]), new Uint8Array([1, 2, 255]));
    return Array.from(db.getBuffer(new Uint8Array([0xff, 0, 0x80])));
  });
  assert.deepEqual(bin, [1, 2, 255]);
  const shown = await page.locator("#status").textContent();
  assert.match(shown, /^ready: \d+ commands$/);
  assert.deepEqual(problems, []);
  await page.close();
});

test("a module Worker imports pkg/browser.js by path and runs its own store", async () => {
  const { page, problems } = await watchedPage(browser.ctx);
  await page.goto(server.url);
  await page.waitForSelector("body[data-worker='1']", { timeout: 15000 });
  const log = await page.locator("#log").textContent();
  assert.match(log, /PING \(in a Worker\)"from the worker"/);
  const r = await page.evaluate(async () => {
    const { inWorker, db } = window.cinnabar;
    db.set("where", "page");
    const set = await inWorker("SET", "where", "worker");
    const get = await inWorker("GET", "where");
    const err = await inWorker("SELECT", 1000);
    return [set.reply, get.reply, err.error, err.code, db.get("where")];
  });
  assert.deepEqual(r, ["OK", "worker", "ERR DB index is out of range", "ERR", "page"]);
  assert.deepEqual(problems, []);
  await page.close();
});
