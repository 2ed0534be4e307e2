// A Cloudflare Worker using cinnabar at the edge: a cache in front of an
// origin, a per-client rate limiter and a geo lookup, all on one in-memory
// Redis-compatible store.
//
// The store lives at module scope, so it is PER ISOLATE: requests served by the
// same isolate share it; another isolate (another colo, a new deploy, an
// evicted isolate) starts empty. That suits caches and soft rate limits; for
// state that must be shared and durable, see ../durable-object.
//
// Routes (every answer is JSON, except cached origin bodies):
//   GET /                      what this Worker serves
//   GET /cache/<path>[?ttl=s]  ORIGIN_URL + <path>, cached (x-cache: HIT|MISS, age)
//   GET /geo/nearby?lon=&lat=&radius=[&unit=km][&count=10]
//                              places within the radius, nearest first (GEOSEARCH)
// Every request counts against its client's rate limit (x-ratelimit-* headers,
// 429 with retry-after beyond it).
import { Cinnabar, ReplyError } from "cinnabar";
import { PLACES } from "./places.js";

const db = new Cinnabar();
// Loaded when the isolate starts (module scope): one GEOADD of the dataset.
const GEO_KEY = "geo:places";
db.geoadd(GEO_KEY, PLACES.flatMap((p) => [p.lon, p.lat, p.name]));
const STARTED = Date.now();

/** An answer with a status and a message, thrown by the handlers. */
class HttpError extends Error {
  constructor(status, message, headers = {}) {
    super(message);
    this.status = status;
    this.headers = headers;
  }
}

const json = (status, body, headers = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", ...headers } });

/** A positive integer from a var (wrangler.toml [vars] are strings), else the fallback. */
function varInt(value, fallback) {
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
/** A finite number from a query parameter; 400 when missing or malformed. */
function numberParam(params, name, { required = true, fallback } = {}) {
  const raw = params.get(name);
  if (raw === null || raw === "") {
    if (required) throw new HttpError(400, `missing query parameter '${name}'`);
    return fallback;
  }
  const n = Number(raw);
  if (!NUMBER.test(raw.trim()) || !Number.isFinite(n)) {
    throw new HttpError(400, `query parameter '${name}' must be a number, got '${raw}'`);
  }
  return n;
}

// ------------------------------------------------------------ rate limiter

/**
 * Fixed window per client: INCR the client's counter and start its window with
 * EXPIRE ... NX (only the first request of a window sets the TTL), in one
 * MULTI. The client is `x-client-id` (e.g. an API key) or, without it, the
 * caller's IP (`cf-connecting-ip`, set by Cloudflare).
 */
function rateLimit(request, env) {
  const limit = varInt(env.RATE_LIMIT, 60);
  const windowS = varInt(env.RATE_WINDOW, 60);
  const client = request.headers.get("x-client-id") || request.headers.get("cf-connecting-ip") || "anonymous";
  const key = `ratelimit:${client}`;
  const [[, count], , [, pttl]] = db.multi().incr(key).expire(key, windowS, "NX").pttl(key).exec();
  const reset = Math.max(1, Math.ceil(pttl / 1000));
  const headers = {
    "x-ratelimit-limit": String(limit),
    "x-ratelimit-remaining": String(Math.max(0, limit - count)),
    "x-ratelimit-reset": String(reset),
  };
  if (count > limit) {
    throw new HttpError(429, `rate limit of ${limit} requests per ${windowS} s exceeded; retry in ${reset} s`, {
      ...headers,
      "retry-after": String(reset),
    });
  }
  return headers;
}

// ------------------------------------------------------------------- cache

/**
 * GET /cache/<path>: the origin's answer for <path> (and the query, minus
 * `ttl`), kept in the store as JSON { type, body, at } for `ttl` seconds
 * (default DEFAULT_TTL). getOrSet makes concurrent misses of one key share ONE
 * origin fetch. Text bodies only (the body is stored as a UTF-8 string).
 */
async function cache(url, env) {
  const path = url.pathname.slice("/cache".length);
  if (path.length <= 1) throw new HttpError(400, "missing origin path: GET /cache/<path>");
  if (!env.ORIGIN_URL) throw new HttpError(500, "ORIGIN_URL is not configured");
  const params = new URLSearchParams(url.search);
  const ttl = numberParam(params, "ttl", { required: false, fallback: varInt(env.DEFAULT_TTL, 60) });
  if (!(ttl >= 0.001 && ttl <= 2592000)) {
    throw new HttpError(400, `query parameter 'ttl' must be between 0.001 and 2592000 seconds, got '${params.get("ttl")}'`);
  }
  params.delete("ttl");
  const qs = params.toString();
  const query = qs ? `?${qs}` : "";
  const key = `cache:${path}${query}`;
  const target = env.ORIGIN_URL.replace(/\/+$/, "") + path + query;

  const hit = db.exists(key) === 1; // a miss also when another request's fetch is in flight
  const entry = await db.getOrSet(
    key,
    async () => {
      let r;
      try {
        r = await fetch(target, { headers: { accept: "*/*" } });
      } catch (e) {
        throw new HttpError(502, `origin unreachable: ${e?.message ?? e}`);
      }
      if (!r.ok) throw new HttpError(502, `origin answered ${r.status} for ${path}`);
      return { type: r.headers.get("content-type") ?? "application/octet-stream", body: await r.text(), at: Date.now() };
    },
    { ttl: Math.round(ttl * 1000), json: true },
  );
  return new Response(entry.body, {
    headers: {
      "content-type": entry.type,
      "x-cache": hit ? "HIT" : "MISS",
      age: String(hit ? Math.max(0, Math.floor((Date.now() - entry.at) / 1000)) : 0),
    },
  });
}

// --------------------------------------------------------------------- geo

const UNITS = new Set(["m", "km", "mi", "ft"]);

/**
 * GET /geo/nearby?lon=&lat=&radius=[&unit=km][&count=10]: GEOSEARCH ...
 * FROMLONLAT lon lat BYRADIUS radius unit ASC COUNT count WITHDIST WITHCOORD.
 * Distances and coordinates are Redis's strings. Out-of-range coordinates or
 * a negative radius get Redis's own error (400).
 */
function nearby(url) {
  const p = url.searchParams;
  const lon = numberParam(p, "lon");
  const lat = numberParam(p, "lat");
  const radius = numberParam(p, "radius");
  const unit = (p.get("unit") ?? "km").toLowerCase();
  if (!UNITS.has(unit)) throw new HttpError(400, `query parameter 'unit' must be one of m, km, mi, ft, got '${p.get("unit")}'`);
  const count = numberParam(p, "count", { required: false, fallback: 10 });
  if (!Number.isInteger(count) || count < 1 || count > 1000) {
    throw new HttpError(400, `query parameter 'count' must be an integer from 1 to 1000, got '${p.get("count")}'`);
  }
  const found = db.geosearch(GEO_KEY, "FROMLONLAT", lon, lat, "BYRADIUS", radius, unit, "ASC", "COUNT", count, "WITHDIST", "WITHCOORD");
  return json(200, {
    center: { lon, lat },
    radius,
    unit,
    places: found.map(([name, dist, [plon, plat]]) => ({ name, dist, lon: plon, lat: plat })),
  });
}

// ------------------------------------------------------------------ router

const ROUTES = ["GET /", "GET /cache/<path>?ttl=<seconds>", "GET /geo/nearby?lon=&lat=&radius=&unit=km&count=10"];

async function route(request, env) {
  const url = new URL(request.url);
  const known = url.pathname === "/" || url.pathname === "/geo/nearby" || url.pathname.startsWith("/cache/");
  if (!known) throw new HttpError(404, `no route for ${url.pathname}`, {});
  if (request.method !== "GET" && request.method !== "HEAD") {
    throw new HttpError(405, `method ${request.method} not allowed on ${url.pathname}; use GET`, { allow: "GET, HEAD" });
  }
  if (url.pathname === "/") {
    return json(200, { routes: ROUTES, isolate: { startedAt: new Date(STARTED).toISOString(), keys: db.dbsize() } });
  }
  if (url.pathname === "/geo/nearby") return nearby(url);
  return cache(url, env);
}

export default {
  async fetch(request, env) {
    let limits = {};
    let response;
    try {
      limits = rateLimit(request, env);
      response = await route(request, env);
    } catch (e) {
      if (e instanceof HttpError) {
        const extra = e.status === 404 ? { routes: ROUTES } : {};
        response = json(e.status, { error: e.message, ...extra }, e.headers);
      } else if (e instanceof ReplyError) {
        response = json(400, { error: e.message });
      } else {
        console.error(e);
        response = json(500, { error: "internal error" });
      }
    }
    for (const [k, v] of Object.entries(limits)) response.headers.set(k, v);
    return response;
  },
};
