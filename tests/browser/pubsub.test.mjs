// Headless Chromium: two pages and a dedicated worker of the same origin, each
// with its own store joined to one BroadcastChannel bridge, exchange pub/sub
// messages: patterns, binary payloads, unsubscribe, a closed page.
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

const got = (page) => page.evaluate(() => window.api.got());
const waitGot = (page, pred) =>
  page.waitForFunction(`(${pred})(window.api.got())`, null, { timeout: 10000 });
const settle = (ms = 200) => new Promise((r) => setTimeout(r, ms));

test("two pages and a dedicated worker exchange messages over the bridge", async () => {
  const a = await watchedPage(browser.ctx);
  const b = await watchedPage(browser.ctx);
  await a.page.goto(`${server.url}tests/browser/pubsub/index.html#worker`);
  await a.page.waitForSelector("body[data-ready='1'][data-worker='1']", { timeout: 15000, state: "attached" });
  await b.page.goto(`${server.url}tests/browser/pubsub/index.html`);
  await b.page.waitForSelector("body[data-ready='1']", { timeout: 15000, state: "attached" });

  // page B publishes: B's own subscriber once (local), A and A's worker once each
  assert.equal(await b.page.evaluate(() => window.api.publish("chat:1", "hello")), 1);
  await waitGot(a.page, (g) => g.filter((x) => x.message === "hello").length === 2);
  await settle();
  const fromB = (await got(a.page)).filter((x) => x.message === "hello");
  assert.deepEqual(fromB.map((x) => x.at).sort(), ["page", "worker"]);
  assert.deepEqual(fromB[0], { at: fromB[0].at, channel: "chat:1", message: "hello", pattern: "chat:*" });
  assert.equal((await got(b.page)).filter((x) => x.message === "hello").length, 1);

  // the worker publishes: both pages get it, in order, once
  await a.page.evaluate(() => {
    for (let i = 0; i < 20; i++) window.api.worker({ publish: [`chat:w`, `w${i}`] });
  });
  const want = Array.from({ length: 20 }, (_, i) => `w${i}`);
  for (const p of [a.page, b.page]) {
    await waitGot(p, (g) => g.filter((x) => x.at === "page" && /^w\d+$/.test(x.message ?? "")).length >= 20);
  }
  await settle();
  for (const p of [a.page, b.page]) {
    const seq = (await got(p)).filter((x) => x.at === "page" && /^w\d+$/.test(x.message ?? "")).map((x) => x.message);
    assert.deepEqual(seq, want);
  }

  // binary payloads arrive as the same bytes
  const bytes = [0, 255, 128, 13, 10, 0xc3];
  await b.page.evaluate((bs) => window.api.publishBytes("bin", bs), bytes);
  await waitGot(a.page, (g) => g.filter((x) => x.bin).length === 2);
  for (const x of (await got(a.page)).filter((x) => x.bin)) assert.deepEqual(x.bin, bytes);

  // unsubscribe on page A: A's page listener stops, its worker still gets messages
  await a.page.evaluate(() => window.api.off("chat"));
  await b.page.evaluate(() => window.api.publish("chat:2", "after-off"));
  await waitGot(a.page, (g) => g.some((x) => x.at === "worker" && x.message === "after-off"));
  await settle();
  assert.equal((await got(a.page)).filter((x) => x.at === "page" && x.message === "after-off").length, 0);

  // a closed page: the others keep exchanging messages, nobody errors
  assert.deepEqual(b.problems, []);
  await b.page.close();
  await a.page.evaluate(() => window.api.worker({ publish: ["chat:3", "after-close"] }));
  await waitGot(a.page, (g) => g.some((x) => x.at === "worker" && x.message === "after-close"));
  // closing a store leaves the bridge: its listeners get nothing more
  await a.page.evaluate(() => window.api.close());
  await a.page.evaluate(() => window.api.worker({ publish: ["bin", "x"] }));
  await waitGot(a.page, (g) => g.filter((x) => x.at === "worker" && x.bin).length === 2);
  await settle();
  assert.equal((await got(a.page)).filter((x) => x.at === "page" && x.bin).length, 1);
  assert.deepEqual(a.problems, []);
  await a.page.close();
});
