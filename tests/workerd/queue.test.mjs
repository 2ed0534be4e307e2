// workerd (via Miniflare): cinnabar/queue in an edge worker. workerd resolves
// a bare "cinnabar" next to the importing module, so a module of that name
// re-exporting pkg/workerd.js sits beside each importer: what a bundler
// (wrangler) resolving the package's "workerd" condition produces.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
let mf, base;

before(async () => {
  assert.ok(existsSync(`${ROOT}pkg/dist/cinnabar_bg.wasm`), "pkg/dist is not built: run `npm run build`");
  mf = new Miniflare({
    modules: [
      { type: "ESModule", path: `${ROOT}tests/workerd/fixtures/queue-worker.js` },
      { type: "ESModule", path: `${ROOT}tests/workerd/fixtures/cinnabar`, contents: 'export * from "../../../pkg/workerd.js";' },
      { type: "ESModule", path: `${ROOT}pkg/cinnabar`, contents: 'export * from "./workerd.js";' },
      { type: "ESModule", path: `${ROOT}pkg/workerd.js` },
      { type: "ESModule", path: `${ROOT}pkg/queue.js` },
      { type: "ESModule", path: `${ROOT}pkg/src/queue.js` },
      { type: "ESModule", path: `${ROOT}pkg/src/cinnabar.js` },
      { type: "ESModule", path: `${ROOT}pkg/src/pubsub.js` },
      { type: "ESModule", path: `${ROOT}pkg/src/bridge.js` },
      { type: "ESModule", path: `${ROOT}pkg/src/cache.js` },
      { type: "ESModule", path: `${ROOT}pkg/src/geofence.js` },
      { type: "ESModule", path: `${ROOT}pkg/src/snapshot.js` },
      { type: "ESModule", path: `${ROOT}pkg/src/persist.js` },
      { type: "ESModule", path: `${ROOT}pkg/dist/cinnabar.js` },
      { type: "CompiledWasm", path: `${ROOT}pkg/dist/cinnabar_bg.wasm` },
    ],
    modulesRoot: ROOT,
    compatibilityDate: "2026-04-01",
    host: "127.0.0.1",
    port: 0,
  });
  base = await mf.ready;
});
after(async () => {
  await mf?.dispose();
});

test("a queue and a worker run inside a request, twice on one store", async () => {
  for (const round of [1, 2]) {
    const r = await fetch(new URL("/?n=20", base));
    assert.equal(r.status, 200);
    const body = await r.json();
    assert.equal(body.done, 20);
    assert.equal(body.sum, 380);
    assert.equal(body.counts.completed, 20 * round);
    assert.equal(body.counts.waiting + body.counts.active + body.counts.delayed + body.counts.failed, 0);
  }
});
