// The JS API on the built package (Node entry): reply mapping, ReplyError,
// binary round trips, argument checking, pipelines, transactions, WATCH across
// duplicate(), independent stores, closing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Cinnabar, Pipeline, ReplyError } from "./load.mjs";

const bytes = (...b) => new Uint8Array(b);

test("replies map as ioredis's: status, bulk, integer, nil, arrays", () => {
  const db = new Cinnabar();
  assert.equal(db.call("SET", "user:1", "ada"), "OK");
  assert.equal(db.ping(), "PONG");
  assert.equal(db.ping("hello"), "hello");
  assert.equal(db.get("user:1"), "ada");
  assert.equal(db.get("missing"), null);
  assert.equal(db.del("user:1", "missing"), 1);
  assert.equal(typeof db.del("x"), "number");
  // arrays, nested errors as values and the nil array, via a raw transaction
  const other = db.duplicate();
  db.call("MULTI");
  assert.equal(db.set("a", "1"), "QUEUED");
  assert.equal(db.get("a"), "QUEUED");
  assert.equal(db.call("SELECT", 99), "QUEUED");
  const replies = db.exec();
  assert.equal(replies.length, 3);
  assert.deepEqual(replies.slice(0, 2), ["OK", "1"]);
  assert.ok(replies[2] instanceof ReplyError);
  assert.equal(replies[2].message, "ERR DB index is out of range");
  db.watch("a");
  other.set("a", "2");
  db.call("MULTI");
  db.get("a");
  assert.equal(db.exec(), null, "EXEC after a broken WATCH is the nil array → null");
  db.close();
  other.close();
});

test("methods exist for every command of the wasm table, with Buffer variants", () => {
  const db = new Cinnabar();
  assert.ok(Cinnabar.commands.length >= 10);
  for (const { name, arity, flags } of Cinnabar.commands) {
    assert.equal(typeof name, "string");
    assert.equal(typeof arity, "number");
    assert.ok(Array.isArray(flags));
    assert.equal(typeof db[name], "function", name);
    assert.equal(typeof db[name + "Buffer"], "function", name + "Buffer");
    if (name !== "exec") assert.equal(typeof db.pipeline()[name], "function", "pipeline." + name);
  }
  assert.equal(db.get.name, "get");
  db.close();
});

test("ReplyError: exact Redis text, code, command", () => {
  const db = new Cinnabar();
  const cases = [
    [["GET"], "ERR wrong number of arguments for 'get' command"],
    [["NOSUCH", "a", "b"], "ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' "],
    [["SELECT", "abc"], "ERR value is not an integer or out of range"],
    [["SELECT", 16], "ERR DB index is out of range"],
    [["EXEC"], "ERR EXEC without MULTI"],
    [["DISCARD"], "ERR DISCARD without MULTI"],
  ];
  for (const [[name, ...args], text] of cases) {
    assert.throws(
      () => db.call(name, ...args),
      (e) => {
        assert.ok(e instanceof ReplyError);
        assert.ok(e instanceof Error);
        assert.equal(e.name, "ReplyError");
        assert.equal(e.message, text);
        assert.equal(e.code, "ERR");
        assert.deepEqual(e.command, { name: name.toLowerCase(), args: args.map(String) });
        return true;
      },
    );
  }
  db.call("MULTI");
  assert.throws(() => db.call("MULTI"), { message: "ERR MULTI calls can not be nested", code: "ERR" });
  assert.throws(() => db.call("NOSUCH"), { code: "ERR" });
  assert.throws(() => db.exec(), {
    message: "EXECABORT Transaction discarded because of previous errors.",
    code: "EXECABORT",
  });
  db.close();
});

test("binary keys and values round trip byte for byte", () => {
  const db = new Cinnabar();
  const key = bytes(0xff, 0x00, 0xfe, 0x80, 0x0d, 0x0a);
  const val = new Uint8Array(256).map((_, i) => 255 - i);
  assert.equal(db.set(key, val), "OK");
  assert.deepEqual(db.getBuffer(key), val);
  assert.deepEqual(db.callBuffer("GET", key), val);
  // Buffer variants turn every string into bytes, status replies too (as ioredis)
  assert.deepEqual(db.setBuffer("s", "v"), new TextEncoder().encode("OK"));
  assert.deepEqual(db.pingBuffer(), new TextEncoder().encode("PONG"));
  assert.equal(db.get(bytes(0xff, 0x00)), null, "a prefix is another key");
  // Buffer is a Uint8Array: accepted as is
  db.set(Buffer.from("buf-key"), Buffer.from([0xc3, 0x28]));
  assert.deepEqual(db.getBuffer("buf-key"), bytes(0xc3, 0x28));
  // invalid UTF-8 in string mode decodes with U+FFFD, as Buffer#toString would
  assert.equal(db.get("buf-key"), Buffer.from([0xc3, 0x28]).toString());
  // UTF-8 text both ways, including astral characters, a BOM and NUL
  const text = "\ufeffzażółć 🦀 \u0000 end";
  db.set("t", text);
  assert.equal(db.get("t"), text);
  assert.deepEqual(db.getBuffer("t"), new TextEncoder().encode(text));
  // a long value (several wasm pages, crosses the buffer trim threshold)
  const big = "x".repeat(3 << 20) + "é";
  db.set("big", big);
  assert.equal(db.get("big"), big);
  const bigBytes = new Uint8Array(2 << 20).fill(7);
  db.set(key, bigBytes);
  assert.deepEqual(db.getBuffer(key), bigBytes);
  // buffer replies are copies, not views into wasm memory
  const got = db.getBuffer("buf-key");
  db.set("buf-key", "zz");
  assert.deepEqual(got, bytes(0xc3, 0x28));
  db.close();
});

test("numbers, bigints and arrays as arguments", () => {
  const db = new Cinnabar();
  db.set(1, 2.5);
  assert.equal(db.get("1"), "2.5");
  db.set("big", 12345678901234567890n);
  assert.equal(db.get("big"), "12345678901234567890");
  db.set("neg", -0);
  assert.equal(db.get("neg"), "0");
  db.set("inf", Infinity);
  assert.equal(db.get("inf"), "Infinity");
  db.set("a", "1");
  db.set("b", "2");
  assert.equal(db.del(["a", "b"], "c"), 2, "arrays are flattened one level");
  db.close();
});

test("a wrong JS argument throws a TypeError naming position and command, and changes nothing", () => {
  const db = new Cinnabar();
  db.set("k", "before");
  const bad = [undefined, null, {}, Symbol("s"), () => 1, NaN, true, new Date(0), [["nested"]], new Uint16Array(2)];
  for (const v of bad) {
    assert.throws(() => db.set("k", v), (e) => {
      assert.ok(e instanceof TypeError, String(e));
      assert.match(e.message, /argument 2 of SET/);
      return true;
    });
    assert.throws(() => db.call("set", v, "x"), /argument 1 of SET/);
    assert.throws(() => db.pipeline().set("k", "x").set("k", v), TypeError);
    assert.throws(() => db.multi().set("k", "x").set("k", v), TypeError);
  }
  assert.throws(() => db.call(undefined), /command name/);
  assert.throws(() => db.call(42, "x"), /command name/);
  assert.equal(db.get("k"), "before");
  // nothing queued either: the connection is not in MULTI and no pipeline ran
  assert.equal(db.set("k", "after"), "OK");
  assert.equal(db.get("k"), "after");
  db.close();
});

test("pipeline: one result pair per command, errors as values", () => {
  const db = new Cinnabar();
  const p = db.pipeline().set("a", "1").get("a").call("NOSUCH").getBuffer("a").del("a", "zz");
  assert.ok(p instanceof Pipeline);
  assert.equal(p.length, 5);
  const res = p.exec();
  assert.deepEqual(res[0], [null, "OK"]);
  assert.deepEqual(res[1], [null, "1"]);
  assert.ok(res[2][0] instanceof ReplyError);
  assert.equal(res[2][0].message, "ERR unknown command 'NOSUCH', with args beginning with: ");
  assert.equal(res[2].length, 2);
  assert.equal(res[2][1], undefined);
  assert.deepEqual(res[3], [null, bytes(0x31)]);
  assert.deepEqual(res[4], [null, 1]);
  assert.throws(() => p.exec(), /already executed/);
  assert.deepEqual(db.pipeline().exec(), []);
  assert.deepEqual(db.pipeline([["set", "x", "1"], ["get", "x"]]).exec(), [[null, "OK"], [null, "1"]]);
  // a pipeline may hold a raw MULTI ... EXEC
  const raw = db.pipeline().multi().set("y", "2").get("y").call("exec").exec();
  assert.deepEqual(raw, [[null, "OK"], [null, "QUEUED"], [null, "QUEUED"], [null, ["OK", "2"]]]);
  db.close();
});

test("multi(): results, EXECABORT with previousErrors, nil on a broken WATCH", () => {
  const db = new Cinnabar();
  assert.deepEqual(db.multi().set("a", "1").get("a").exec(), [[null, "OK"], [null, "1"]]);
  assert.deepEqual(db.multi().exec(), []);
  // runtime error inside EXEC stays a value
  const r = db.multi().set("a", "2").call("SELECT", 99).getBuffer("a").exec();
  assert.deepEqual(r[0], [null, "OK"]);
  assert.equal(r[1][0].message, "ERR DB index is out of range");
  assert.deepEqual(r[2], [null, bytes(0x32)]);
  // a command refused while queueing aborts everything
  assert.throws(
    () => db.multi().set("a", "3").get().exec(),
    (e) => {
      assert.ok(e instanceof ReplyError);
      assert.equal(e.code, "EXECABORT");
      assert.equal(e.message, "EXECABORT Transaction discarded because of previous errors.");
      assert.equal(e.previousErrors.length, 1);
      assert.equal(e.previousErrors[0].message, "ERR wrong number of arguments for 'get' command");
      return true;
    },
  );
  assert.equal(db.get("a"), "2", "nothing of the aborted transaction ran");
  // WATCH broken by another connection on the same data
  const other = db.duplicate();
  db.watch("a");
  other.set("a", "theirs");
  assert.equal(db.multi().set("a", "mine").exec(), null);
  assert.equal(db.get("a"), "theirs");
  // a clean WATCH goes through
  db.watch("a");
  assert.deepEqual(db.multi().set("a", "mine").exec(), [[null, "OK"]]);
  assert.equal(other.get("a"), "mine");
  // multi() while this connection is already in MULTI: refused, nothing runs
  db.multi({ pipeline: false });
  assert.throws(() => db.multi().set("a", "x").exec(), { message: "ERR MULTI calls can not be nested" });
  assert.equal(db.call("DISCARD"), "OK");
  assert.equal(db.get("a"), "mine");
  other.close();
  db.close();
});

test("duplicate() shares data but not the selected database; close() is per connection", () => {
  const db = new Cinnabar();
  const dup = db.duplicate();
  db.set("k", "v");
  assert.equal(dup.get("k"), "v");
  dup.select(1);
  assert.equal(dup.get("k"), null);
  dup.set("k", "in db1");
  assert.equal(db.get("k"), "v");
  db.close();
  db.close(); // idempotent
  assert.throws(() => db.get("k"), { message: "Connection is closed." });
  assert.throws(() => db.duplicate(), { message: "Connection is closed." });
  assert.equal(dup.get("k"), "in db1", "data lives while a connection is open");
  dup.select(0);
  assert.equal(dup.get("k"), "v");
  dup.close();
});

test("two new Cinnabar() are independent stores", () => {
  const a = new Cinnabar();
  const b = new Cinnabar();
  a.set("k", "a");
  assert.equal(b.get("k"), null);
  b.set("k", "b");
  assert.equal(a.get("k"), "a");
  a.close();
  assert.equal(b.get("k"), "b");
  b.close();
});

test("options: databases, hz, bad values", () => {
  const db = new Cinnabar({ databases: 2, hz: 50 });
  assert.equal(db.select(1), "OK");
  assert.throws(() => db.select(2), { message: "ERR DB index is out of range" });
  db.close();
  assert.throws(() => new Cinnabar({ databases: 0 }), RangeError);
  assert.throws(() => new Cinnabar({ hz: 1000 }), RangeError);
  assert.throws(() => new Cinnabar({ databases: 1.5 }), RangeError);
  assert.throws(() => new Cinnabar("x"), TypeError);
});

test("many commands: buffers are reused, memory stays bounded", () => {
  const db = new Cinnabar();
  for (let i = 0; i < 20000; i++) db.set("key:" + (i % 100), "value:" + i);
  assert.equal(db.get("key:99"), "value:19999");
  const p = db.pipeline();
  for (let i = 0; i < 5000; i++) p.set("p:" + i, i);
  assert.equal(p.exec().length, 5000);
  assert.equal(db.get("p:4999"), "4999");
  db.close();
});
