// Pub/sub in the built package (Node entry): callbacks and their unsubscribe
// functions, patterns, shard channels, the async iterator, Redis's counts,
// binary payloads, keyspace events (incl. active expiry from the timer), raw
// SUBSCRIBE on a connection with Redis's replies, and bad input: a throwing
// listener, unsubscribing twice, publishing to nobody, closing mid-delivery.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Cinnabar, ReplyError } from "./load.mjs";

test("subscribe returns an unsubscribe function; PUBLISH counts as Redis", () => {
  const db = new Cinnabar();
  const got = [];
  const off = db.subscribe("chat:42", (message, channel) => got.push(["s", message, channel]));
  const offP = db.psubscribe("chat:*", (message, channel, pattern) => got.push(["p", message, channel, pattern]));
  assert.equal(db.publish("chat:42", "hi"), 2);
  assert.deepEqual(got, [["s", "hi", "chat:42"], ["p", "hi", "chat:42", "chat:*"]]);
  assert.deepEqual(db.pubsub("NUMSUB", "chat:42", "nope"), ["chat:42", 1, "nope", 0]);
  assert.equal(db.pubsub("NUMPAT"), 1);
  assert.deepEqual(db.pubsub("CHANNELS"), ["chat:42"]);
  off();
  off(); // twice: harmless
  assert.equal(db.publish("chat:42", "again"), 1);
  offP();
  assert.equal(db.publish("chat:42", "nobody"), 0);
  assert.equal(db.publish("nowhere", "x"), 0);
  assert.equal(got.length, 3);
  // one listener, several channels
  const multi = [];
  const offM = db.subscribe(["a", "b"], (m, c) => multi.push(c + "=" + m));
  db.publish("a", "1");
  db.publish("b", "2");
  assert.deepEqual(multi, ["a=1", "b=2"]);
  assert.deepEqual(db.pubsub("NUMSUB", "a", "b"), ["a", 1, "b", 1]);
  offM();
  assert.deepEqual(db.pubsub("NUMSUB", "a", "b"), ["a", 0, "b", 0]);
  // each subscription is its own subscriber, as Redis counts connections
  const n = [];
  const offs = Array.from({ length: 10 }, (_, i) => db.subscribe("fan", () => n.push(i)));
  assert.equal(db.publish("fan", "x"), 10);
  assert.deepEqual(n, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  offs.forEach((f) => f());
  db.close();
});

test("shard channels: SSUBSCRIBE/SPUBLISH, patterns ignored", () => {
  const db = new Cinnabar();
  const got = [];
  db.ssubscribe("orders", (m, c) => got.push([c, m]));
  db.psubscribe("*", () => got.push("pattern"));
  assert.equal(db.spublish("orders", "o1"), 1);
  assert.equal(db.publish("orders", "not shard"), 1); // only the pattern
  assert.deepEqual(got, [["orders", "o1"], "pattern"]);
  assert.deepEqual(db.pubsub("SHARDNUMSUB", "orders"), ["orders", 1]);
  assert.deepEqual(db.pubsub("SHARDCHANNELS"), ["orders"]);
  db.close();
});

test("binary channels and payloads: buffer mode gives the exact bytes", () => {
  const db = new Cinnabar();
  const got = [];
  const chan = new Uint8Array([0xff, 0, 0x80]);
  db.subscribe(chan, (message, channel) => got.push([channel, message]), { buffer: true });
  assert.equal(db.publish(chan, new Uint8Array([1, 2, 255, 0])), 1);
  assert.ok(got[0][0] instanceof Uint8Array && got[0][1] instanceof Uint8Array);
  assert.deepEqual([...got[0][0]], [0xff, 0, 0x80]);
  assert.deepEqual([...got[0][1]], [1, 2, 255, 0]);
  const strs = [];
  db.subscribe("u", (m) => strs.push(m));
  db.publish("u", "héllo ✓");
  db.publish("u", new TextEncoder().encode("bytes as text"));
  assert.deepEqual(strs, ["héllo ✓", "bytes as text"]);
  db.close();
});

test("messages(): an async iterator; break unsubscribes; AbortSignal ends it", async () => {
  const db = new Cinnabar();
  setTimeout(() => ["one", "two", "three"].forEach((m) => db.publish("alerts", m)), 5);
  const seen = [];
  for await (const { channel, message } of db.messages("alerts")) {
    seen.push(`${channel}:${message}`);
    if (seen.length === 2) break;
  }
  assert.deepEqual(seen, ["alerts:one", "alerts:two"]);
  assert.deepEqual(db.pubsub("NUMSUB", "alerts"), ["alerts", 0]);
  const ac = new AbortController();
  const it = db.messages("news:*", { pattern: true, signal: ac.signal });
  db.publish("news:1", "a");
  assert.deepEqual((await it.next()).value, { channel: "news:1", message: "a", pattern: "news:*" });
  ac.abort();
  assert.deepEqual(await it.next(), { value: undefined, done: true });
  assert.equal(db.pubsub("NUMPAT"), 0);
  // closing the connection ends a waiting loop
  const other = db.duplicate();
  const waiting = other.messages("never").next();
  other.close();
  assert.deepEqual(await waiting, { value: undefined, done: true });
  db.close();
});

test("delivery is synchronous and in publish order, also when a listener publishes", () => {
  const db = new Cinnabar();
  const log = [];
  db.subscribe("a", (m) => {
    log.push("A:" + m);
    if (m === "1") db.publish("b", "from-a");
  });
  db.subscribe("b", (m) => log.push("B:" + m));
  db.subscribe("a", (m) => log.push("A2:" + m));
  db.publish("a", "1");
  db.publish("a", "2");
  // the nested publish is queued behind the deliveries already in flight
  assert.deepEqual(log, ["A:1", "A2:1", "B:from-a", "A:2", "A2:2"]);
  db.close();
});

test("a throwing listener does not stop the others; reported on 'error' or console.warn", () => {
  const db = new Cinnabar();
  const got = [];
  db.subscribe("t", () => {
    throw new Error("boom");
  });
  db.subscribe("t", (m) => got.push(m));
  const errors = [];
  const onError = (err, info) => errors.push([err.message, info.channel]);
  db.on("error", onError);
  assert.equal(db.publish("t", "x"), 2);
  assert.deepEqual(got, ["x"]);
  assert.deepEqual(errors, [["boom", "t"]]);
  db.off("error", onError);
  const warn = console.warn;
  const warned = [];
  console.warn = (...a) => warned.push(a);
  try {
    db.publish("t", "y");
  } finally {
    console.warn = warn;
  }
  assert.deepEqual(got, ["x", "y"]);
  assert.equal(warned.length, 1);
  assert.match(String(warned[0][0]), /listener threw/);
  // the store is intact
  assert.equal(db.set("k", "v"), "OK");
  assert.equal(db.get("k"), "v");
  db.close();
});

test("closing mid-delivery: unsubscribing or closing inside a listener is harmless", () => {
  const db = new Cinnabar();
  const other = db.duplicate();
  const got = [];
  let offB;
  db.subscribe("c", () => {
    got.push("first");
    offB();
    other.close();
  });
  offB = db.subscribe("c", () => got.push("second (unsubscribed before its turn)"));
  other.subscribe("c", () => got.push("third (its connection closed)"));
  db.subscribe("c", () => got.push("fourth"));
  db.publish("c", "x");
  assert.deepEqual(got, ["first", "fourth"]);
  // closing the store inside a listener
  const db2 = new Cinnabar();
  db2.subscribe("z", () => db2.close());
  db2.subscribe("z", () => assert.fail("the store was closed"));
  db2.publish("z", "x");
  assert.throws(() => db2.get("k"), /Connection is closed/);
  db.close();
});

test("raw SUBSCRIBE on a connection: Redis's replies, subscribed mode, events", () => {
  const db = new Cinnabar();
  const sub = db.duplicate();
  assert.deepEqual(sub.call("SUBSCRIBE", "a"), ["subscribe", "a", 1]);
  assert.deepEqual(sub.call("SUBSCRIBE", "b", "c"), [["subscribe", "b", 2], ["subscribe", "c", 3]]);
  assert.deepEqual(sub.call("PING"), ["pong", ""]);
  assert.throws(
    () => sub.get("k"),
    (e) =>
      e instanceof ReplyError &&
      e.message ===
        "ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
  );
  const got = [];
  sub.on("message", (channel, message) => got.push([channel, message]));
  sub.on("messageBuffer", (channel, message) => got.push(message instanceof Uint8Array));
  assert.equal(db.publish("b", "hello"), 1);
  assert.deepEqual(got, [["b", "hello"], true]);
  assert.deepEqual(sub.call("UNSUBSCRIBE", "a", "b", "c"), [
    ["unsubscribe", "a", 2],
    ["unsubscribe", "b", 1],
    ["unsubscribe", "c", 0],
  ]);
  assert.deepEqual(sub.call("UNSUBSCRIBE"), ["unsubscribe", null, 0]);
  assert.equal(sub.ping(), "PONG");
  sub.close();
  db.close();
});

test("keyspace notifications reach subscribers, including expired from the timer", async () => {
  const db = new Cinnabar({ hz: 100 });
  db.config("SET", "notify-keyspace-events", "KEA");
  const events = [];
  db.psubscribe("__key*__:*", (message, channel) => events.push(`${channel} ${message}`));
  db.set("k", "v", "PX", 20);
  db.sadd("s", "a");
  db.del("s");
  assert.deepEqual(events, [
    "__keyspace@0__:k set",
    "__keyevent@0__:set k",
    "__keyspace@0__:k expire",
    "__keyevent@0__:expire k",
    "__keyspace@0__:s sadd",
    "__keyevent@0__:sadd s",
    "__keyspace@0__:s del",
    "__keyevent@0__:del s",
  ]);
  events.length = 0;
  const t0 = Date.now();
  while (events.length === 0 && Date.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(events, ["__keyspace@0__:k expired", "__keyevent@0__:expired k"]);
  db.close();
});

test("the bridge option is checked", () => {
  assert.throws(() => new Cinnabar({ bridge: "" }), TypeError);
  assert.throws(() => new Cinnabar({ bridge: 42 }), TypeError);
  const db = new Cinnabar({ bridge: { name: "lonely", keyspace: true } });
  assert.equal(db.publish("x", "y"), 0); // nobody local; other members are not counted
  db.close();
  db.close();
});
