// Panel 1: cache-aside with db.getOrSet in front of a slow fake API.
import { $, h, every, guard, logLine, fmtMs } from "../ui.js";

const TTL = 10_000;
const SWR = 5_000;
const PREFIX = "cache:product:";
const NAMES = ["", "Cinnabar mug", "Redis sticker pack", "Wasm hoodie", "Edge socks"];

export function setupCache(db) {
  const panel = $("#cache");
  const status = h("p", { class: "muted status" });
  panel.append(status);
  const n = { hits: 0, stale: 0, misses: 0, loads: 0 };
  const expires = new Map(); // key → Unix ms when the key goes (ttl + swr after its load)
  const loading = new Set(); // keys whose loader runs now: a miss then joins that call

  const show = () => {
    for (const k of Object.keys(n)) $(`#cache-${k}`).textContent = n[k];
  };

  /** The slow API: 600 ms per product. */
  async function fetchProduct(id) {
    n.loads++;
    show();
    await new Promise((r) => setTimeout(r, 600));
    return { id, name: NAMES[id] ?? `Product ${id}`, price: 5 + ((id * 7919) % 40), fetchedAt: new Date().toISOString() };
  }

  async function get(id) {
    const key = PREFIX + id;
    const t0 = performance.now();
    // What getOrSet will find: absent (miss), fresh (hit) or within the stale window.
    const pttl = db.pttl(key);
    const kind = pttl === -2 ? "miss" : pttl >= 0 && pttl <= SWR ? "stale" : "hit";
    const joined = kind === "miss" && loading.has(key);
    const product = await db.getOrSet(key, async () => {
      loading.add(key);
      try {
        const v = await fetchProduct(id);
        expires.set(key, Date.now() + TTL + SWR);
        return v;
      } finally {
        loading.delete(key);
      }
    }, { ttl: TTL, staleWhileRevalidate: SWR, json: true });
    n[kind === "miss" ? "misses" : kind === "stale" ? "stale" : "hits"]++;
    show();
    const ms = performance.now() - t0;
    logLine($("#cache-log"), 8, h("span", { class: `tag ${kind}` }, kind),
      `${key} → ${product.name} · ${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms${joined ? " (joined the load)" : ""}`);
    return product;
  }

  panel.querySelectorAll("[data-product]").forEach((b) => {
    b.addEventListener("click", guard(() => get(Number(b.dataset.product)), status));
  });
  $("#cache-burst").addEventListener("click", guard(() => Promise.all([1, 2, 3, 4, 5].map(() => get(4))), status));
  $("#cache-clear").addEventListener("click", guard(() => {
    const keys = db.keys(PREFIX + "*");
    if (keys.length) db.del(keys);
    expires.clear();
    renderKeys();
  }, status));

  // The cached keys with their TTL ticking: SCAN (no keyspace stats) for which
  // keys exist; the expiry is known from the load (or read once with PTTL).
  const list = $("#cache-keys");
  function renderKeys() {
    const keys = [];
    let cursor = "0";
    do {
      const [next, batch] = db.scan(cursor, "MATCH", PREFIX + "*", "COUNT", 100);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== "0");
    keys.sort();
    const now = Date.now();
    const rows = keys.map((key) => {
      if (!expires.has(key)) {
        const p = db.pttl(key);
        expires.set(key, p >= 0 ? now + p : -1);
      }
      const at = expires.get(key);
      const left = at < 0 ? -1 : Math.max(0, at - now);
      const stale = left >= 0 && left <= SWR;
      const pct = at < 0 ? 100 : Math.min(100, (left / (TTL + SWR)) * 100);
      return h("li", { class: stale ? "stale" : "fresh", "data-key": key },
        h("span", {}, key), h("span", { class: "ttl" }, at < 0 ? "no TTL" : (stale ? "stale " : "") + fmtMs(left)),
        h("span", { class: "bar" }, h("span", { style: `width:${pct.toFixed(1)}%` })));
    });
    for (const k of expires.keys()) if (!keys.includes(k)) expires.delete(k);
    list.replaceChildren(...rows);
  }
  renderKeys();
  every(200, renderKeys, status);
  show();
}
