// examples/durable-object under workerd (Miniflare on 127.0.0.1), configured
// from its wrangler.toml, with Durable Object storage persisted in a temporary
// directory so that a second Miniflare on the same directory is a restart.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Miniflare } from "miniflare";
import { ROOT, miniflareOptions, readWrangler } from "./support/wrangler.mjs";

const persist = mkdtempSync(join(tmpdir(), "cinnabar-do-"));
let mf, base;

async function start() {
  mf = new Miniflare(miniflareOptions("durable-object", { durableObjectsPersist: persist }));
  base = await mf.ready;
  assert.equal(base.hostname, "127.0.0.1");
}
before(async () => {
  assert.ok(existsSync(`${ROOT}pkg/dist/cinnabar_bg.wasm`), "pkg/dist is not built: run `npm run build`");
  await start();
});
after(async () => {
  await mf?.dispose();
  rmSync(persist, { recursive: true, force: true });
});

async function request(method, path, body) {
  const init = { method };
  if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
  const r = await fetch(new URL(path, base), init);
  assert.equal(r.headers.get("content-type"), "application/json; charset=utf-8", path);
  return { status: r.status, body: await r.json() };
}
const cmd = async (name, ...argv) => (await request("POST", `/db/${name}`, argv)).body;
const info = async (name) => (await request("GET", `/db/${name}/info`)).body;

/** Polls `probe` until it returns a truthy value (generous timeout: a loaded machine). */
async function until(probe, what, timeout = 15000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

test("the toml is what runs: the binding, the SQLite class and the wasm rule come from wrangler.toml", () => {
  const { config } = readWrangler("durable-object");
  assert.deepEqual(config.durable_objects.bindings, [{ name: "DB", class_name: "CinnabarObject" }]);
  assert.deepEqual(config.migrations, [{ tag: "v1", new_sqlite_classes: ["CinnabarObject"] }]);
  const opts = miniflareOptions("durable-object");
  assert.deepEqual(opts.durableObjects, { DB: { className: "CinnabarObject", useSQLite: true } });
  assert.equal(opts.modules.find((m) => m.path.endsWith(".wasm")).type, config.rules[0].type);
});

test("Redis commands over HTTP: one command, a batch, Redis's errors, refused and malformed input", async () => {
  assert.deepEqual(await request("POST", "/db/api", ["SET", "k", "v", "EX", "60"]), { status: 200, body: "OK" });
  assert.deepEqual(await request("POST", "/db/api", ["GET", "k"]), { status: 200, body: "v" });
  assert.deepEqual(await request("POST", "/db/api", [["INCR", "n"], ["INCRBY", "n", 41], ["GET", "n"], ["INCR", "k"], ["ZADD", "z", 1, "a"], ["ZRANGE", "z", 0, -1, "WITHSCORES"]]), {
    status: 200,
    body: [1, 42, "42", { error: "ERR value is not an integer or out of range" }, 1, ["a", "1"]],
  });
  // each name is its own object, its own store
  assert.deepEqual(await request("POST", "/db/other", ["GET", "k"]), { status: 200, body: null });
  const bad = [
    ["POST", "/db/api", ["GET"], 400, "ERR wrong number of arguments for 'get' command"],
    ["POST", "/db/api", ["NOPE", "x"], 400, "ERR unknown command 'NOPE', with args beginning with: 'x' "],
    ["POST", "/db/api", ["LPUSH", "k", "x"], 400, "WRONGTYPE Operation against a key holding the wrong kind of value"],
    ["POST", "/db/api", ["SELECT", 1], 400, "command: SELECT is not available over HTTP"],
    ["POST", "/db/api", ["BLPOP", "q", 0], 400, "command: BLPOP is not available over HTTP"],
    ["POST", "/db/api", [["GET", "k"], ["MULTI"]], 400, "command 1: MULTI is not available over HTTP"],
    ["POST", "/db/api", [], 400, 'command must be a non-empty JSON array like ["SET","k","v"]'],
    ["POST", "/db/api", { cmd: "GET" }, 400, 'command must be a non-empty JSON array like ["SET","k","v"]'],
    ["POST", "/db/api", ["SET", "k", { v: 1 }], 400, "command: argument 2 must be a string or a finite number"],
    ["POST", "/db/api", "SET k v", 400, "body must be JSON"],
    ["GET", "/db/api", undefined, 405, "method GET not allowed on /db/api"],
    ["GET", "/db/api/nothing", undefined, 404, "no route for /db/api/nothing"],
    ["GET", "/elsewhere", undefined, 404, "no route for /elsewhere; use /db/<name>, /db/<name>/jobs or /db/<name>/info"],
    ["POST", "/db/bad%20name", ["GET", "k"], 400, "the object name must be 1 to 64 characters of A-Z a-z 0-9 _ . -"],
  ];
  for (const [method, path, body, status, error] of bad) {
    assert.deepEqual(await request(method, path, body), { status, body: { error } }, `${method} ${path} ${JSON.stringify(body)}`);
  }
  assert.equal(await cmd("api", "GET", "k"), "v"); // nothing above changed it
});

test("the alarm expires keys at their deadline with no request touching them", async () => {
  assert.equal(await cmd("alarm", "SET", "gone", "x", "PX", 2000), "OK");
  assert.equal(await cmd("alarm", "SET", "stay", "y", "EX", 100), "OK");
  const deadline = await cmd("alarm", "PEXPIRETIME", "gone");
  const before = await info("alarm");
  assert.equal(before.keys, 2);
  assert.equal(before.alarm, deadline + 1); // the earliest deadline, 1 ms after it
  // GET /info reads DBSIZE and the alarm only: no key lookup, no lazy expiry
  const after = await until(async () => {
    const i = await info("alarm");
    return i.keys === 1 && i;
  }, "the alarm to expire 'gone'");
  assert.deepEqual(after.expired.map((e) => e.key), ["gone"]);
  assert.ok(after.expired[0].at > deadline);
  assert.equal(after.alarm, (await cmd("alarm", "PEXPIRETIME", "stay")) + 1);
  assert.deepEqual(await cmd("alarm", "KEYS", "*"), ["stay"]);
});

test("delayed jobs run from the alarm at their time; bad jobs are refused", async () => {
  const job = await request("POST", "/db/jobs/jobs", { name: "bump", delay: 2500, command: ["INCR", "runs"] });
  assert.equal(job.status, 201);
  const later = await request("POST", "/db/jobs/jobs", { name: "later", delay: 600_000 });
  const listed = (await request("GET", "/db/jobs/jobs")).body;
  assert.deepEqual(listed.delayed.map((j) => j.name), ["bump", "later"]);
  assert.deepEqual(listed.completed, []);
  assert.equal((await info("jobs")).alarm, job.body.runAt);
  const done = await until(async () => {
    const { completed } = (await request("GET", "/db/jobs/jobs")).body;
    return completed.length > 0 && completed;
  }, "the delayed job to run");
  assert.equal(done.length, 1);
  assert.deepEqual({ ...done[0], ranAt: 0 }, { id: job.body.id, name: "bump", runAt: job.body.runAt, command: ["INCR", "runs"], ranAt: 0, result: 1 });
  assert.ok(done[0].ranAt >= job.body.runAt);
  assert.equal(await cmd("jobs", "GET", "runs"), "1");
  assert.equal((await info("jobs")).alarm, later.body.runAt);
  const bad = [
    [[1], "body must be a JSON object like {\"name\":\"report\",\"delay\":5000,\"command\":[\"INCR\",\"runs\"]}"],
    [{ delay: -1 }, "delay must be an integer number of ms from 0 to 31536000000"],
    [{ delay: "soon" }, "delay must be an integer number of ms from 0 to 31536000000"],
    [{ delay: 5, name: 7 }, "name must be a string of 1 to 200 characters"],
    [{ delay: 5, command: ["SUBSCRIBE", "c"] }, "command: SUBSCRIBE is not available over HTTP"],
    [{ delay: 5, command: ["FROB", "x"] }, "command: unknown command 'FROB'"],
  ];
  for (const [body, error] of bad) assert.deepEqual(await request("POST", "/db/jobs/jobs", body), { status: 400, body: { error } });
  // a job whose command fails records Redis's error
  await request("POST", "/db/jobs/jobs", { name: "oops", delay: 0, command: ["INCR", "runs", "extra"] });
  const failed = await until(async () => (await request("GET", "/db/jobs/jobs")).body.completed.find((j) => j.name === "oops"), "the failing job");
  assert.equal(failed.error, "ERR wrong number of arguments for 'incr' command");
});

test("a restart keeps the data and the TTLs, which keep counting; keys that expired meanwhile are gone", async () => {
  await cmd("restart", "SET", "plain", "1");
  await cmd("restart", "HSET", "h", "f", "v");
  await cmd("restart", "ZADD", "board", 10, "ada", 20, "bob");
  const big = Array.from({ length: 30000 }, (_, i) => `${i % 10}abcdefgh`).join(""); // 270 KB: a snapshot of 3 chunks
  await cmd("restart", "SET", "big", big);
  await cmd("restart", "SET", "ttl", "t", "EX", 60);
  await cmd("restart", "SET", "short", "s", "PX", 2500);
  const job = await request("POST", "/db/restart/jobs", { name: "after-restart", delay: 7000, command: ["SET", "ran", "yes"] });
  const ttlAt = await cmd("restart", "PEXPIRETIME", "ttl");
  const shortAt = await cmd("restart", "PEXPIRETIME", "short");
  assert.deepEqual(await info("restart"), { keys: 6, alarm: shortAt + 1, expired: [] });

  await mf.dispose();
  mf = undefined;
  await sleep(Math.max(0, shortAt + 100 - Date.now())); // 'short' expires while workerd is down
  await start();

  assert.equal(await cmd("restart", "GET", "plain"), "1");
  assert.equal(await cmd("restart", "GET", "big"), big);
  assert.deepEqual(await cmd("restart", "HGETALL", "h"), ["f", "v"]);
  assert.deepEqual(await cmd("restart", "ZRANGE", "board", 0, -1, "WITHSCORES"), ["ada", "10", "bob", "20"]);
  // the same absolute deadline, so the TTL kept counting while the object was down
  assert.equal(await cmd("restart", "PEXPIRETIME", "ttl"), ttlAt);
  const t0 = Date.now();
  const pttl = await cmd("restart", "PTTL", "ttl");
  assert.ok(pttl > 0 && pttl <= ttlAt - t0 + 20 && pttl < 60_000 - 2500, `pttl ${pttl}`);
  const i = await info("restart");
  assert.deepEqual(i.expired.map(({ key, whileDown }) => ({ key, whileDown })), [{ key: "short", whileDown: true }]);
  assert.equal(await cmd("restart", "EXISTS", "short"), 0);
  // the delayed job survived too and runs from the alarm after the restart
  const { delayed, completed } = (await request("GET", "/db/restart/jobs")).body;
  assert.deepEqual([...delayed, ...completed].map((j) => j.id), [job.body.id]); // (completed only if the restart was slow)
  await until(async () => (await request("GET", "/db/restart/jobs")).body.completed.length === 1, "the job after the restart");
  assert.equal(await cmd("restart", "GET", "ran"), "yes");
  assert.equal((await info("restart")).alarm, ttlAt + 1);
  // other objects' data came back as well
  assert.equal(await cmd("api", "GET", "n"), "42");
  assert.deepEqual(await cmd("alarm", "KEYS", "*"), ["stay"]);
});
