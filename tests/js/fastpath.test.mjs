// The typed fast paths (get/set/incr/mget/mset/del/exists) and the '#' reply
// (an array of nils and ASCII bulk strings decoded in one go) answer exactly as
// the generic path does: same values, same errors, same fallbacks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Cinnabar, ReplyError } from "./load.mjs";

test("fast paths answer as call() does", () => {
  const db = new Cinnabar();
  assert.equal(db.set("k", "v"), "OK");
  assert.equal(db.get("k"), "v");
  assert.equal(db.get("nope"), null);
  assert.equal(db.set("n", 41), "OK"); // number: generic path
  assert.equal(db.incr("n"), 42);
  assert.equal(db.set("k", "v2", "XX"), "OK"); // options: generic path
  assert.equal(db.set("k", "v3", "NX"), null);
  assert.deepEqual(db.mget("k", "nope", "n"), ["v2", null, "42"]);
  assert.deepEqual(db.mget(["k", "n"]), ["v2", "42"]);
  assert.equal(db.mset("a", "1", "b", "2"), "OK");
  assert.equal(db.mset(["c", "3", "d", "4"]), "OK");
  assert.equal(db.mset({ e: "5" }), "OK");
  assert.equal(db.exists("a", "b", "zz"), 2);
  assert.equal(db.del("a", "b", "zz"), 2);
  assert.deepEqual(db.mget("a", "c", "d", "e"), [null, "3", "4", "5"]);
  db.close();
});

test("fast path errors carry the command and its arguments", () => {
  const db = new Cinnabar();
  db.call("RPUSH", "list", "x");
  assert.throws(() => db.get("list"), (e) => e instanceof ReplyError && e.code === "WRONGTYPE" && e.command.name === "get" && e.command.args[0] === "list");
  assert.throws(() => db.incr("list"), (e) => e.code === "WRONGTYPE" && e.command.args.length === 1);
  db.set("s", "abc");
  assert.throws(() => db.incr("s"), { message: "ERR value is not an integer or out of range" });
  assert.throws(() => db.mset("a", "1", "b"), (e) => e.command.name === "mset" && e.command.args.length === 3);
  assert.throws(() => db.get(undefined), TypeError);
  assert.throws(() => db.mget(), { message: "ERR wrong number of arguments for 'mget' command" });
  db.close();
  assert.throws(() => db.get("k"), { message: "Connection is closed." });
});

test("'#' arrays: non-ASCII, empty strings, nils, long values, Buffers, pipelines and EXEC", () => {
  const db = new Cinnabar();
  const long = "x".repeat(70_000) + "é";
  db.mset("a", "plain", "b", "", "c", "héllo", "d", long, "e", "y".repeat(300));
  assert.deepEqual(db.mget("a", "b", "zz"), ["plain", "", null]);
  assert.deepEqual(db.mget("a", "c", "d"), ["plain", "héllo", long]);
  assert.deepEqual(db.mget("e", "a"), ["y".repeat(300), "plain"]);
  const bufs = db.mgetBuffer("a", "b", "zz");
  assert.deepEqual(bufs.map((b) => (b === null ? null : Buffer.from(b).toString())), ["plain", "", null]);
  db.call("RPUSH", "l", "1", "2", "three");
  assert.deepEqual(db.lrange("l", 0, -1), ["1", "2", "three"]);
  assert.deepEqual(db.pipeline().mget("a", "b").lrange("l", 0, -1).exec(), [[null, ["plain", ""]], [null, ["1", "2", "three"]]]);
  assert.deepEqual(db.multi().mget("a", "zz").mgetBuffer("a", "b").exec().map(([e, r]) => [e, r.map((x) => (x instanceof Uint8Array ? Buffer.from(x).toString() : x))]), [[null, ["plain", null]], [null, ["plain", ""]]]);
  db.close();
});

test("sorted-set fast paths answer as call() does (numbers written as String(v))", () => {
  const db = new Cinnabar();
  const ref = new Cinnabar();
  const scores = [0, -0, 7, -7, 1.5, -2.25, 1e21, 2 ** 53, -(2 ** 53) + 1, 123456789012, Infinity, -Infinity, 0.1, 1e-7, "12", "(3", "nan"];
  for (const [i, s] of scores.entries()) {
    const m = `m${i}`;
    let a, b;
    try { a = db.zadd("z", s, m); } catch (e) { a = e.message; }
    try { b = ref.call("zadd", "z", String(s), m); } catch (e) { b = e.message; }
    assert.deepEqual(a, b, `zadd ${s}`);
  }
  assert.deepEqual(db.zrange("z", 0, -1, "WITHSCORES"), ref.call("zrange", "z", "0", "-1", "WITHSCORES"));
  assert.deepEqual(db.zrevrange("z", 0, 4), ref.call("zrevrange", "z", "0", "4"));
  assert.deepEqual(db.zrevrange("z", -3, -1, "WITHSCORES"), ref.call("zrevrange", "z", "-3", "-1", "WITHSCORES"));
  assert.equal(db.zincrby("z", 5, "m2"), ref.call("zincrby", "z", "5", "m2"));
  assert.equal(db.zincrby("z", -0.5, "new"), ref.call("zincrby", "z", "-0.5", "new"));
  assert.equal(db.zscore("z", "m2"), "12");
  assert.equal(db.zscore("z", "nope"), null);
  assert.equal(db.zrank("z", "m3"), ref.call("zrank", "z", "m3"));
  assert.equal(db.zrevrank("z", "m3"), ref.call("zrevrank", "z", "m3"));
  assert.equal(db.zrevrank("z", "nope"), null);
  assert.equal(db.zadd("z", "NX", 1, "m2"), 0); // options: generic path
  assert.equal(db.zadd("z", 1, "a", 2, "b"), 2); // several pairs: generic path
  assert.throws(() => db.zadd("z", NaN, "x"), TypeError);
  assert.throws(() => db.zincrby("z", -Infinity, "m10"), (e) => e instanceof ReplyError && e.command.name === "zincrby" && e.command.args[1] === "-Infinity");
  db.call("SET", "s", "x");
  assert.throws(() => db.zadd("s", 1, "x"), (e) => e.code === "WRONGTYPE" && e.command.name === "zadd" && e.command.args.join() === "s,1,x");
  assert.throws(() => db.zrevrange("s", 0, 9), (e) => e.code === "WRONGTYPE" && e.command.args.join() === "s,0,9");
  assert.deepEqual(db.zrangeBuffer("z", 0, 0).map((b) => Buffer.from(b).toString()), [ref.call("zrange", "z", "0", "0")[0]]);
  db.close();
  ref.close();
  assert.throws(() => db.zadd("z", 1, "m"), { message: "Connection is closed." });
});

test("typed SET (plain, EX, PX) answers as the generic SET, TTLs, errors, MULTI and events included", () => {
  const db = new Cinnabar();
  const ref = new Cinnabar();
  const both = (...a) => {
    const r = [db, ref].map((d) => {
      try {
        return d.call(...a);
      } catch (e) {
        return `${e.message}|${JSON.stringify(e.command)}`;
      }
    });
    assert.deepEqual(r[0], r[1], JSON.stringify(a));
    return r[0];
  };
  const set = (...a) => {
    let typed, generic;
    try {
      typed = db.set(...a);
    } catch (e) {
      typed = `${e.message}|${JSON.stringify(e.command)}`;
    }
    try {
      generic = ref.call("set", ...a);
    } catch (e) {
      generic = `${e.message}|${JSON.stringify(e.command)}`;
    }
    assert.deepEqual(typed, generic, JSON.stringify(a));
    return typed;
  };
  const big = "é".repeat(700_000); // > KEEP once encoded
  for (const [k, v] of [["k", "v"], ["ключ", "значение"], ["", ""], ["k".repeat(200), "x"], ["n", "12345"], ["b", big]]) {
    assert.equal(set(k, v), "OK");
    assert.equal(set(k, v, "PX", 5000), "OK");
    assert.ok(Math.abs(db.call("pttl", k) - 5000) < 200 && Math.abs(ref.call("pttl", k) - 5000) < 200);
    assert.equal(set(k, v, "ex", 7), "OK");
    assert.equal(both("ttl", k), 7);
    assert.equal(both("get", k), v);
    both("object", "encoding", k);
    assert.equal(set(k, v), "OK");
    assert.equal(both("ttl", k), -1);
  }
  for (const bad of [0, -1, -0, 2 ** 53 - 1, 1.5, NaN, Infinity]) {
    for (const unit of ["PX", "px", "EX", "ex", "Px"]) set("t", "v", unit, bad);
  }
  assert.match(set("t", "v", "PX", 0), /^ERR invalid expire time in 'set' command\|\{"name":"set","args":\["t","v","PX","0"\]\}$/);
  // Keyspace events and WATCH see it; inside MULTI it is queued.
  const seen = [];
  db.call("config", "set", "notify-keyspace-events", "KEA");
  const off = db.subscribe(["__keyevent@0__:set", "__keyevent@0__:expire"], (msg, ch) => seen.push(`${ch}:${msg}`));
  db.set("ev", "1", "PX", 100);
  db.set("ev", "2");
  assert.deepEqual(seen, ["__keyevent@0__:set:ev", "__keyevent@0__:expire:ev", "__keyevent@0__:set:ev"]);
  off();
  const other = db.duplicate();
  other.call("watch", "w");
  db.set("w", "changed");
  other.call("multi");
  assert.equal(other.set("q", "1", "EX", 10), "QUEUED");
  assert.equal(other.call("exec"), null);
  other.call("multi");
  assert.equal(other.set("q", "1", "EX", 10), "QUEUED");
  assert.deepEqual(other.call("exec"), ["OK"]);
  assert.equal(db.call("ttl", "q"), 10);
  for (const d of [other, db, ref]) d.close();
});

test("typed SET without a TTL reads no clock unless it needs the exact time (lazy expiry, maxmemory)", async () => {
  const db = new Cinnabar();
  db.set("warm", "x"); // starts the active-expiry timer
  await new Promise((r) => setTimeout(r, 150)); // a timer pass refreshes the store's cached clock
  // An existing key with a TTL: the SET must see it expired now (the cached clock is older).
  db.set("k", "v1", "PX", 20);
  const t0 = Date.now();
  while (Date.now() - t0 < 40); // the event loop is blocked: no timer pass
  const before = Number(/expired_keys:(\d+)/.exec(db.info("stats"))[1]);
  assert.equal(db.set("k", "v2"), "OK");
  assert.equal(Number(/expired_keys:(\d+)/.exec(db.info("stats"))[1]), before + 1, "lazy expiry ran at the exact time");
  assert.equal(db.ttl("k"), -1);
  assert.equal(db.get("k"), "v2");
  // Plain keys: stamped with a clock at most a timer period old.
  for (let i = 0; i < 100; i++) db.set(`p${i}`, "v");
  assert.ok(db.object("IDLETIME", "p0") <= 1);
  // Under maxmemory (eviction reads the clock) the SET is exact and answers as before.
  db.config("SET", "maxmemory", "100mb");
  assert.equal(db.set("m", "v"), "OK");
  db.close();
});

test("geo search replies (written by the search, '#' read to the reply's end) equal the generic decodes", () => {
  const db = new Cinnabar();
  let x = 12345;
  const rnd = (n) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x % n;
  };
  const names = [];
  for (let i = 0; i < 3000; i++) {
    const kind = i % 7;
    const name =
      kind === 0 ? `p${i}` :
      kind === 1 ? `caf\u00e9-${i}` :
      kind === 2 ? `${"z".repeat(rnd(40))}${i}` :
      kind === 3 ? `\u{1F600}${i}` :
      kind === 4 ? `${i}`.padStart(8, "0") :
      kind === 5 ? `n${i}-` + String.fromCharCode(1 + rnd(126)) :
      `long-member-name-with-more-than-fourteen-bytes-${i}`;
    names.push(name);
    db.geoadd("all", 2 + rnd(100000) / 1e6, 48 + rnd(100000) / 1e6, name);
    if (kind === 0 || kind === 4 || kind === 6) db.geoadd("ascii", 2 + rnd(100000) / 1e6, 48 + rnd(100000) / 1e6, name);
  }
  // binary members (invalid UTF-8) through Uint8Array arguments
  for (let i = 0; i < 50; i++) db.call("GEOADD", "all", "2.05", "48.05", new Uint8Array([0xff, 0x80 + (i % 60), i, 0x41]));
  const dec = new TextDecoder();
  for (const key of ["all", "ascii"]) {
    for (const opts of [["ASC"], ["DESC"], [], ["COUNT", "5", "ASC"], ["COUNT", "900", "DESC"], ["COUNT", "3", "ANY"]]) {
      const args = ["FROMLONLAT", "2.05", "48.05", "BYRADIUS", "5", "km", ...opts];
      const fast = db.geosearch(key, ...args);
      const viaCall = db.call("GEOSEARCH", key, ...args);
      const bufs = db.callBuffer("GEOSEARCH", key, ...args).map((b) => dec.decode(b));
      const [[, piped]] = db.pipeline().call("GEOSEARCH", key, ...args).exec();
      const [[, inExec]] = db.multi().call("GEOSEARCH", key, ...args).exec();
      assert.ok(fast.length > 0);
      assert.deepEqual(viaCall, fast);
      assert.deepEqual(bufs, fast);
      assert.deepEqual(piped, fast);
      assert.deepEqual(inExec, fast);
      // a '#' array that is not the whole reply (inside EXEC with others)
      const [[, a], [, b]] = db.multi().call("GEOSEARCH", key, ...args).call("MGET", "none", "none2").exec();
      assert.deepEqual(a, fast);
      assert.deepEqual(b, [null, null]);
    }
  }
  db.close();
});
