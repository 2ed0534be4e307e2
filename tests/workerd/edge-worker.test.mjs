// examples/edge-worker under workerd (Miniflare on 127.0.0.1), configured from
// its wrangler.toml, with the origin served by a node http server on 127.0.0.1.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { Miniflare } from "miniflare";
import { ROOT, miniflareOptions, parseToml, readWrangler, startOrigin } from "./support/wrangler.mjs";
import { hasRedis, startRedis } from "./support/redis.mjs";
import { Cinnabar } from "../../pkg/node.js";
import { PLACES } from "../../examples/edge-worker/src/places.js";

const { config } = readWrangler("edge-worker");
const LIMIT = Number(config.vars.RATE_LIMIT);
const WINDOW = Number(config.vars.RATE_WINDOW);
let mf, base, origin;

before(async () => {
  assert.ok(existsSync(`${ROOT}pkg/dist/cinnabar_bg.wasm`), "pkg/dist is not built: run `npm run build`");
  origin = await startOrigin((req, res) => {
    const url = new URL(req.url, "http://origin");
    if (url.pathname.startsWith("/missing")) {
      res.statusCode = 404;
      return res.end("not here");
    }
    const answer = () => {
      res.setHeader("content-type", url.pathname.endsWith(".json") ? "application/json" : "text/plain; charset=utf-8");
      res.end(url.pathname.endsWith(".json") ? JSON.stringify({ path: url.pathname, n: origin.hits.get(req.url) }) : `origin ${req.url} #${origin.hits.get(req.url)}`);
    };
    if (url.pathname.startsWith("/slow")) setTimeout(answer, 1500);
    else answer();
  });
  mf = new Miniflare(miniflareOptions("edge-worker", { vars: { ORIGIN_URL: origin.url } }));
  base = await mf.ready;
  assert.equal(base.hostname, "127.0.0.1");
});
after(async () => {
  await mf?.dispose();
  await origin?.close();
});

const get = (path, client, init = {}) =>
  fetch(new URL(path, base), { ...init, headers: { "x-client-id": client, ...init.headers } });

test("the wrangler.toml reader", () => {
  const text = `# comment
name = "w" # trailing
main = 'src/index.js'
n = 1_000
on = true
[vars]
URL = "http://a/#not-a-comment"
LIST = [
  "a", # one
  "b",
]
[[durable_objects.bindings]]
name = "A"
class_name = "X"
[[durable_objects.bindings]]
name = "B"
class_name = "Y"
`;
  assert.deepEqual(parseToml(text), {
    name: "w",
    main: "src/index.js",
    n: 1000,
    on: true,
    vars: { URL: "http://a/#not-a-comment", LIST: ["a", "b"] },
    durable_objects: { bindings: [{ name: "A", class_name: "X" }, { name: "B", class_name: "Y" }] },
  });
  assert.throws(() => parseToml("x = { a = 1 }"), /unsupported value/);
  assert.throws(() => parseToml("just words"), /cannot read/);
});

test("the toml is what runs: vars and main come from examples/edge-worker/wrangler.toml", async () => {
  assert.equal(config.main, "src/index.js");
  assert.ok(LIMIT > 0 && WINDOW > 0);
  const r = await get("/", "root");
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("x-ratelimit-limit"), String(LIMIT));
  assert.ok((await r.json()).routes.length >= 3);
});

test("cache: MISS then HIT, origin fetched once, body and content-type kept, age counts", async () => {
  const a = await get("/cache/data/a.json?ttl=30", "cache-1");
  assert.equal(a.status, 200);
  assert.equal(a.headers.get("x-cache"), "MISS");
  assert.equal(a.headers.get("age"), "0");
  assert.equal(a.headers.get("content-type"), "application/json");
  assert.deepEqual(await a.json(), { path: "/data/a.json", n: 1 });
  await sleep(1100);
  const b = await get("/cache/data/a.json?ttl=30", "cache-1");
  assert.equal(b.headers.get("x-cache"), "HIT");
  assert.equal(b.headers.get("content-type"), "application/json");
  assert.ok(Number(b.headers.get("age")) >= 1, `age ${b.headers.get("age")}`);
  assert.deepEqual(await b.json(), { path: "/data/a.json", n: 1 });
  assert.equal(origin.hits.get("/data/a.json"), 1);
  // the query (minus ttl) is part of the key and reaches the origin
  const c = await get("/cache/data/a.json?v=2", "cache-1");
  assert.equal(c.headers.get("x-cache"), "MISS");
  assert.equal(origin.hits.get("/data/a.json?v=2"), 1);
});

test("cache: concurrent misses share one origin fetch (getOrSet single flight)", async () => {
  const rs = await Promise.all(Array.from({ length: 8 }, (_, i) => get("/cache/slow/page?ttl=30", `flight-${i}`)));
  const bodies = await Promise.all(rs.map((r) => r.text()));
  assert.deepEqual(rs.map((r) => r.status), Array(8).fill(200));
  assert.deepEqual(rs.map((r) => r.headers.get("x-cache")), Array(8).fill("MISS"));
  assert.deepEqual(new Set(bodies), new Set(["origin /slow/page #1"]));
  assert.equal(origin.hits.get("/slow/page"), 1);
  const again = await get("/cache/slow/page", "flight-0");
  assert.equal(again.headers.get("x-cache"), "HIT");
  assert.equal(origin.hits.get("/slow/page"), 1);
});

test("cache: a short TTL expires and the next request refetches; origin errors are not cached", async () => {
  const first = await get("/cache/ttl?ttl=1", "ttl");
  assert.equal(first.headers.get("x-cache"), "MISS");
  assert.equal(await first.text(), "origin /ttl #1");
  assert.equal((await get("/cache/ttl?ttl=1", "ttl")).headers.get("x-cache"), "HIT");
  await sleep(1300);
  const later = await get("/cache/ttl?ttl=1", "ttl");
  assert.equal(later.headers.get("x-cache"), "MISS");
  assert.equal(await later.text(), "origin /ttl #2");
  assert.equal(origin.hits.get("/ttl"), 2);

  for (let i = 0; i < 2; i++) {
    const r = await get("/cache/missing/x", "ttl");
    assert.equal(r.status, 502);
    assert.deepEqual(await r.json(), { error: "origin answered 404 for /missing/x" });
  }
  assert.equal(origin.hits.get("/missing/x"), 2);
});

test("rate limiter: 429 with retry-after after the limit, per client", async () => {
  for (let i = 1; i <= LIMIT; i++) {
    const r = await get("/", "greedy");
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("x-ratelimit-remaining"), String(LIMIT - i));
    await r.body?.cancel();
  }
  for (let i = 0; i < 3; i++) {
    const r = await get("/geo/nearby?lon=0&lat=0&radius=1", "greedy");
    assert.equal(r.status, 429);
    const retry = Number(r.headers.get("retry-after"));
    assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= WINDOW, `retry-after ${retry}`);
    assert.equal(r.headers.get("x-ratelimit-remaining"), "0");
    assert.equal(r.headers.get("content-type"), "application/json; charset=utf-8");
    const body = await r.json();
    assert.match(body.error, new RegExp(`^rate limit of ${LIMIT} requests per ${WINDOW} s exceeded; retry in \\d+ s$`));
  }
  // another client has its own window
  const other = await get("/", "modest");
  assert.equal(other.status, 200);
  assert.equal(other.headers.get("x-ratelimit-remaining"), String(LIMIT - 1));
  // without x-client-id the client is cf-connecting-ip
  const ip = (addr) => fetch(new URL("/", base), { headers: { "cf-connecting-ip": addr } });
  assert.equal((await ip("203.0.113.7")).headers.get("x-ratelimit-remaining"), String(LIMIT - 1));
  assert.equal((await ip("203.0.113.7")).headers.get("x-ratelimit-remaining"), String(LIMIT - 2));
  assert.equal((await ip("203.0.113.8")).headers.get("x-ratelimit-remaining"), String(LIMIT - 1));
});

// Redis's haversine (geohash_helper.c): earth radius 6372797.560856 m.
function haversine(lon1, lat1, lon2, lat2) {
  const r = (d) => (d * Math.PI) / 180;
  const u = Math.sin((r(lat2) - r(lat1)) / 2);
  const v = Math.sin((r(lon2) - r(lon1)) / 2);
  return 2 * 6372797.560856 * Math.asin(Math.sqrt(u * u + Math.cos(r(lat1)) * Math.cos(r(lat2)) * v * v));
}

test("geo: GEOSEARCH answers match the store and Redis's distance formula", async () => {
  assert.ok(PLACES.length >= 300);
  const local = new Cinnabar();
  local.geoadd("geo:places", PLACES.flatMap((p) => [p.lon, p.lat, p.name]));
  const toMeters = { m: 1, km: 1000, mi: 1609.34, ft: 0.3048 };
  const cases = [
    { lon: 2.35, lat: 48.86, radius: 60, unit: "km", count: 6 },
    { lon: -74, lat: 40.7, radius: 40, unit: "mi", count: 10 },
    { lon: 139.7, lat: 35.7, radius: 30000, unit: "m", count: 3 },
    { lon: 10, lat: 50, radius: 500, unit: "km", count: 50 },
    { lon: -150, lat: -60, radius: 100, unit: "ft", count: 5 },
  ];
  for (const c of cases) {
    const r = await get(`/geo/nearby?lon=${c.lon}&lat=${c.lat}&radius=${c.radius}&unit=${c.unit}&count=${c.count}`, "geo");
    assert.equal(r.status, 200);
    const body = await r.json();
    const want = local.geosearch("geo:places", "FROMLONLAT", c.lon, c.lat, "BYRADIUS", c.radius, c.unit, "ASC", "COUNT", c.count, "WITHDIST", "WITHCOORD");
    assert.deepEqual(body.places, want.map(([name, dist, [lon, lat]]) => ({ name, dist, lon, lat })));
    assert.deepEqual({ ...body.center, radius: body.radius, unit: body.unit }, { lon: c.lon, lat: c.lat, radius: c.radius, unit: c.unit });
    let prev = -1;
    for (const p of body.places) {
      assert.match(p.dist, /^\d+\.\d{4}$/);
      const d = haversine(c.lon, c.lat, Number(p.lon), Number(p.lat)) / toMeters[c.unit];
      assert.ok(Math.abs(d - Number(p.dist)) <= 0.00006, `${p.name}: ${p.dist} vs ${d}`);
      assert.ok(Number(p.dist) <= c.radius && Number(p.dist) >= prev);
      prev = Number(p.dist);
    }
  }
  // the nearest place to a city's own coordinates is that city
  const paris = await (await get("/geo/nearby?lon=2.35&lat=48.86&radius=1&count=1", "geo")).json();
  assert.equal(paris.places[0].name, "Paris");
  assert.equal(paris.unit, "km");
  // GEODIST between two members agrees with what the search reports from a member's own coordinates
  const berlin = local.geopos("geo:places", "Berlin")[0];
  const fromBerlin = await (await get(`/geo/nearby?lon=${berlin[0]}&lat=${berlin[1]}&radius=400&unit=km&count=100`, "geo")).json();
  const hamburg = fromBerlin.places.find((p) => p.name === "Hamburg");
  assert.equal(hamburg.dist, local.geodist("geo:places", "Berlin", "Hamburg", "km"));
  assert.deepEqual((await (await get("/geo/nearby?lon=-150&lat=-60&radius=10&count=5", "geo")).json()).places, []);
});

test("geo: the same answers and errors as redis-server 7.0", { skip: !hasRedis() && "redis-server is not on PATH" }, async () => {
  const redis = await startRedis();
  try {
    assert.equal(await redis.call("GEOADD", "geo:places", ...PLACES.flatMap((p) => [p.lon, p.lat, p.name])), PLACES.length);
    const queries = [
      [2.35, 48.86, 60, "km", 6],
      [-74, 40.7, 40, "mi", 10],
      [151.2, -33.9, 80000, "m", 8],
      [-0.1, 51.5, 1500000, "ft", 20],
      [10, 50, 800, "km", 1000],
      [179.9, 0, 100, "km", 5],
    ];
    for (const [lon, lat, radius, unit, count] of queries) {
      const r = await get(`/geo/nearby?lon=${lon}&lat=${lat}&radius=${radius}&unit=${unit}&count=${count}`, "geo-redis");
      const want = await redis.call("GEOSEARCH", "geo:places", "FROMLONLAT", lon, lat, "BYRADIUS", radius, unit, "ASC", "COUNT", count, "WITHDIST", "WITHCOORD");
      assert.deepEqual((await r.json()).places, want.map(([name, dist, [plon, plat]]) => ({ name, dist, lon: plon, lat: plat })), `${lon},${lat} ${radius}${unit}`);
    }
    for (const [lon, lat, radius] of [[1, 95, 5], [200, 0, 5], [1, 2, -5]]) {
      const r = await get(`/geo/nearby?lon=${lon}&lat=${lat}&radius=${radius}`, "geo-redis");
      const want = await redis.call("GEOSEARCH", "geo:places", "FROMLONLAT", lon, lat, "BYRADIUS", radius, "km", "ASC", "COUNT", 10, "WITHDIST", "WITHCOORD");
      assert.deepEqual({ status: r.status, body: await r.json() }, { status: 400, body: want });
    }
  } finally {
    await redis.stop();
  }
});

test("malformed requests get a 4xx with a clear JSON message", async () => {
  const cases = [
    ["/geo/nearby?lat=1&radius=5", 400, "missing query parameter 'lon'"],
    ["/geo/nearby?lon=abc&lat=1&radius=5", 400, "query parameter 'lon' must be a number, got 'abc'"],
    ["/geo/nearby?lon=1&lat=1e999&radius=5", 400, "query parameter 'lat' must be a number, got '1e999'"],
    ["/geo/nearby?lon=1&lat=2", 400, "missing query parameter 'radius'"],
    ["/geo/nearby?lon=1&lat=2&radius=5&unit=parsec", 400, "query parameter 'unit' must be one of m, km, mi, ft, got 'parsec'"],
    ["/geo/nearby?lon=1&lat=2&radius=5&count=0", 400, "query parameter 'count' must be an integer from 1 to 1000, got '0'"],
    ["/geo/nearby?lon=1&lat=2&radius=5&count=2.5", 400, "query parameter 'count' must be an integer from 1 to 1000, got '2.5'"],
    // Redis's own errors pass through
    ["/geo/nearby?lon=1&lat=95&radius=5", 400, "ERR invalid longitude,latitude pair 1.000000,95.000000"],
    ["/geo/nearby?lon=1&lat=2&radius=-5", 400, "ERR radius cannot be negative"],
    ["/cache/", 400, "missing origin path: GET /cache/<path>"],
    ["/cache/x?ttl=soon", 400, "query parameter 'ttl' must be a number, got 'soon'"],
    ["/cache/x?ttl=0", 400, "query parameter 'ttl' must be between 0.001 and 2592000 seconds, got '0'"],
    ["/nowhere", 404, "no route for /nowhere"],
  ];
  for (const [path, status, error] of cases) {
    const r = await get(path, "bad");
    assert.equal(r.status, status, path);
    assert.equal(r.headers.get("content-type"), "application/json; charset=utf-8", path);
    assert.equal((await r.json()).error, error, path);
  }
  const post = await get("/geo/nearby?lon=1&lat=2&radius=5", "bad-post", { method: "POST", body: "{}" });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get("allow"), "GET, HEAD");
  assert.deepEqual(await post.json(), { error: "method POST not allowed on /geo/nearby; use GET" });
  assert.equal(origin.hits.get("/x"), undefined);
});
