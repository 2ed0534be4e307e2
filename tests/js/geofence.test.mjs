// Geofences: members moved across a polygon and a circle by every write
// route (GEOADD, ZADD, ZINCRBY, ZREM, ZREMRANGEBY*, ZPOP*, DEL, UNLINK, lazy
// and active expiry, RENAME/MOVE/COPY, overwrites, *STORE, FLUSHDB,
// FLUSHALL, SWAPDB, MULTI/EXEC, pipelines, duplicate() connections, snapshot
// restore) give every enter/exit exactly once, `inside` for moves within,
// nothing for moves outside; a fence watches one database; invalid fences
// throw Redis-style errors; stop() stops; events are published on the
// channel when one is given; typed geo replies.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Cinnabar } from "./load.mjs";

// A 0.1° square around Paris's centre.
const square = [[2.30, 48.83], [2.40, 48.83], [2.40, 48.88], [2.30, 48.88]];
const IN = [2.35, 48.85];
const IN2 = [2.36, 48.86];
const OUT = [2.50, 48.85];
const OUT2 = [2.20, 48.90];

test("every crossing of a polygon fence is reported once, in order", () => {
  const db = new Cinnabar();
  db.geoadd("couriers", ...IN, "already", ...OUT, "far");
  const events = [];
  const stop = db.geofence("couriers", { polygon: square }, (ev) => events.push(`${ev.type}:${ev.member}`));
  db.geoadd("couriers", ...OUT2, "far"); // outside to outside: nothing
  db.geoadd("couriers", ...IN, "ada"); // new, inside
  db.geoadd("couriers", ...IN, "ada"); // unchanged: nothing
  db.geoadd("couriers", ...IN2, "ada"); // moves within
  db.geoadd("couriers", ...OUT, "ada"); // leaves
  db.geoadd("couriers", ...OUT2, "ada"); // still outside: nothing
  db.geoadd("couriers", ...IN, "ada", ...OUT, "already"); // ada back in, "already" leaves
  db.geoadd("other", ...IN, "ada"); // another key: nothing
  assert.deepEqual(events, ["enter:ada", "inside:ada", "exit:ada", "enter:ada", "exit:already"]);
  // Random walks: each member's events alternate enter/exit, never twice in a row.
  let x = 7;
  const rnd = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
  const state = new Map();
  const seen = [];
  const stop2 = db.geofence("walk", { polygon: square }, (ev) => seen.push(ev));
  for (let i = 0; i < 2000; i++) {
    const m = `c${Math.floor(rnd() * 20)}`;
    const lon = 2.25 + rnd() * 0.2, lat = 48.8 + rnd() * 0.12;
    const before = seen.length;
    db.geoadd("walk", lon, lat, m);
    const [p] = db.geopos("walk", m);
    const inside = Number(p[0]) > 2.30 && Number(p[0]) < 2.40 && Number(p[1]) > 48.83 && Number(p[1]) < 48.88;
    const was = state.get(m) ?? false;
    const expected = inside && !was ? "enter" : inside && was ? "inside" : !inside && was ? "exit" : null;
    const fresh = seen.slice(before);
    assert.deepEqual(fresh.map((e) => e.type), expected === null ? [] : [expected], `step ${i} ${m}`);
    if (fresh.length) assert.equal(fresh[0].lon, Number(p[0]));
    state.set(m, inside);
  }
  const counts = {};
  for (const ev of seen) counts[ev.type] = (counts[ev.type] ?? 0) + 1;
  assert.ok(counts.enter > 50 && counts.exit > 50, JSON.stringify(counts));
  stop2();
  stop();
  db.geoadd("couriers", ...OUT, "ada", ...IN, "far");
  assert.equal(events.length, 5, "stop() stops");
});

test("circle fences, other connections, pipelines and transactions", () => {
  const db = new Cinnabar();
  const other = db.duplicate();
  const events = [];
  db.geofence("fleet", { circle: { lon: 2.35, lat: 48.85, radius: 2, unit: "km" } }, (ev) => events.push(`${ev.type}:${ev.member}`));
  other.geoadd("fleet", 2.351, 48.851, "a"); // ~130 m away
  other.pipeline().geoadd("fleet", 2.352, 48.852, "b").geoadd("fleet", 2.50, 48.85, "a").exec();
  other.multi().geoadd("fleet", 2.349, 48.849, "a").geoadd("fleet", "XX", 2.6, 48.85, "nobody").exec();
  // each command of a batch or transaction is seen on its own, in order
  assert.deepEqual(events, ["enter:a", "enter:b", "exit:a", "enter:a"]);
});

test("invalid fences throw clear errors; nothing panics", () => {
  const db = new Cinnabar();
  const bad = [
    [{ polygon: [[0, 0], [1, 1]] }, /ERR invalid polygon: fewer than 3 distinct vertices$/],
    [{ polygon: [[0, 0], [1, 1], [0, 0]] }, /ERR invalid polygon: fewer than 3 distinct vertices$/],
    [{ polygon: [[0, 0], [1, 1], [1, 0], [0, 1]] }, /ERR invalid polygon: self-intersecting$/],
    [{ polygon: [[0, 0], [1, NaN], [1, 0]] }, /ERR invalid polygon: coordinate is not a number$/],
    [{ polygon: [[0, 0], [1, "1"], [1, 0]] }, /not a pair of numbers/],
    [{ polygon: [[0, 0], [200, 1], [1, 0]] }, /invalid longitude,latitude pair 200.000000,1.000000/],
    [{ polygon: "nope" }, /array/],
    [{ circle: { lon: 0, lat: 0, radius: -1 } }, /ERR radius cannot be negative$/],
    [{ circle: { lon: 0, lat: 0, radius: 1, unit: "yd" } }, /unsupported unit/],
    [{ square: 1 }, /polygon.*circle/],
  ];
  for (const [fence, re] of bad) assert.throws(() => db.geofence("k", fence, () => {}), re);
  assert.throws(() => db.geofence("k", { polygon: square }, "not a function"), /callback/);
  // a closed ring (first vertex repeated) is fine
  db.geofence("k", { polygon: [...square, square[0]] }, () => {})();
  db.set("str", "x");
  assert.throws(() => db.geofence("str", { polygon: square }, () => {}), /WRONGTYPE/);
});

test("every write route moves members across the fence exactly once", async () => {
  const db = new Cinnabar({ databases: 4 });
  const other = db.duplicate();
  const events = [];
  const stop = db.geofence("k", { polygon: square }, (ev) => events.push(`${ev.type}:${ev.member}`));
  const took = () => events.splice(0);
  const fill = () => {
    db.geoadd("k", ...IN, "a", ...IN2, "b", ...OUT, "z");
    assert.deepEqual(took().sort(), ["enter:a", "enter:b"]);
  };
  // member moves: GEOADD, ZADD, ZINCRBY (a score is a position)
  fill();
  db.zincrby("k", 1000000, "a");
  assert.deepEqual(took(), ["inside:a"]);
  db.zadd("k", 0, "a");
  assert.deepEqual(took(), ["exit:a"]);
  db.zadd("k", db.zscore("k", "b"), "a");
  assert.deepEqual(took(), ["enter:a"]);
  // member removals
  db.zrem("k", "a");
  assert.deepEqual(took(), ["exit:a"]);
  db.zremrangebyscore("k", db.zscore("k", "b"), db.zscore("k", "b"));
  assert.deepEqual(took(), ["exit:b"]);
  // rank and pop removals, with only `a` in the key
  db.del("k");
  assert.deepEqual(took(), []);
  for (const remove of [
    () => db.zremrangebyrank("k", 0, 0),
    () => db.zremrangebylex("k", "[a", "[a"),
    () => db.zpopmin("k"),
    () => db.zpopmax("k"),
    () => other.zmpop(1, "k", "MIN"),
  ]) {
    db.geoadd("k", ...IN, "a");
    remove();
    assert.deepEqual(took(), ["enter:a", "exit:a"], String(remove));
  }
  // whole-key routes
  for (const write of [
    () => db.del("k"),
    () => db.unlink("k"),
    () => db.set("k", "str"),
    () => db.mset("k", "v"),
    () => db.flushdb(),
    () => db.flushall(),
    () => db.rename("k", "away"),
    () => db.move("k", 1),
    () => other.zunionstore("k", 1, "nothing"),
    () => other.zrangestore("k", "nothing", 0, -1),
    () => other.geosearchstore("k", "k", "FROMLONLAT", 100, 0, "BYRADIUS", 1, "m"),
    () => other.multi().del("k").exec(),
    () => other.pipeline().unlink("k").exec(),
  ]) {
    db.del("k", "away");
    fill();
    write();
    assert.deepEqual(took(), ["exit:a", "exit:b"], String(write));
  }
  // onto the key: RENAME, COPY, MOVE, SWAPDB, GEOSEARCHSTORE, snapshot restore
  db.flushall();
  db.geoadd("src", ...IN, "a", ...OUT, "z");
  db.copy("src", "k");
  assert.deepEqual(took(), ["enter:a"]);
  db.del("k");
  db.rename("src", "k");
  assert.deepEqual(took(), ["exit:a", "enter:a"]);
  other.select(1);
  db.move("k", 1);
  assert.deepEqual(took(), ["exit:a"]);
  other.move("k", 0);
  assert.deepEqual(took(), ["enter:a"]);
  db.swapdb(0, 2);
  assert.deepEqual(took(), ["exit:a"]);
  other.swapdb(0, 2);
  assert.deepEqual(took(), ["enter:a"]);
  db.geoadd("moved", ...IN2, "m");
  db.geosearchstore("k", "moved", "FROMLONLAT", ...IN2, "BYRADIUS", 1, "km");
  assert.deepEqual(took(), ["enter:m", "exit:a"]);
  const snap = db.snapshot();
  db.del("k");
  assert.deepEqual(took(), ["exit:m"]);
  db.restore(snap);
  assert.deepEqual(took(), ["enter:m"]);
  // the fence watches database 0 only
  other.select(3);
  other.geoadd("k", ...IN, "elsewhere");
  assert.deepEqual(took(), []);
  // MULTI/EXEC: each command on its own
  other.select(0);
  other.multi().geoadd("k", ...IN, "t").geoadd("k", ...OUT, "t").geoadd("k", ...IN, "t").exec();
  assert.deepEqual(took(), ["enter:t", "exit:t", "enter:t"]);
  // expiry: lazy (a read finds it expired) and active (the timer)
  db.pexpire("k", 20);
  await new Promise((r) => setTimeout(r, 40));
  db.exists("k");
  assert.deepEqual(took().sort(), ["exit:m", "exit:t"]);
  db.geoadd("k", ...IN, "a");
  db.pexpire("k", 20);
  assert.deepEqual(took(), ["enter:a"]);
  for (let i = 0; i < 100 && events.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(took(), ["exit:a"]);
  stop();
  db.geoadd("k", ...IN, "a");
  assert.deepEqual(took(), []);
  db.close();
  other.close();
});

test("events are published on the channel as JSON, to any subscriber", () => {
  const db = new Cinnabar();
  const published = [];
  const off = db.duplicate().subscribe("fence", (message, channel) => published.push([channel, JSON.parse(message)]));
  const stop = db.geofence("k", { polygon: square }, () => {}, { channel: "fence" });
  db.geoadd("k", ...IN, "ada");
  db.geoadd("k", ...OUT, "ada");
  assert.deepEqual(
    published.map(([ch, ev]) => [ch, ev.type, ev.member]),
    [
      ["fence", "enter", "ada"],
      ["fence", "exit", "ada"],
    ],
  );
  stop();
  off();
});

test("geo replies: strings as Redis prints them, WITH* items as arrays", () => {
  const db = new Cinnabar();
  assert.equal(db.geoadd("Sicily", 13.361389, 38.115556, "Palermo", 15.087269, 37.502669, "Catania"), 2);
  assert.equal(db.geodist("Sicily", "Palermo", "Catania", "km"), "166.2742");
  assert.deepEqual(db.geopos("Sicily", "Palermo", "nope"), [["13.36138933897018433", "38.11555639549629859"], null]);
  assert.deepEqual(db.geosearch("Sicily", "FROMLONLAT", 15, 37, "BYRADIUS", 200, "km", "ASC", "WITHDIST", "WITHCOORD"), [
    ["Catania", "56.4413", ["15.08726745843887329", "37.50266842333162032"]],
    ["Palermo", "190.4424", ["13.36138933897018433", "38.11555639549629859"]],
  ]);
  assert.deepEqual(db.geosearch("Sicily", "BYPOLYGON", 3, 12, 37, 16, 37, 14, 39), ["Palermo", "Catania"]);
  assert.equal(db.zscore("Sicily", "Palermo"), "3479099956230698");
});
