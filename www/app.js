// The demo page: one in-memory store for the page (joined to the chat's
// BroadcastChannel bridge), a persistent idb:// store for sessions, a panel per
// use, an INFO readout, and a console. Errors show in the page, never uncaught.
import { Cinnabar } from "cinnabar";
import { $, every, human, showError } from "./ui.js";
import { setupConsole, format } from "./console.js";
import { setupCache } from "./panels/cache.js";
import { setupSessions } from "./panels/sessions.js";
import { setupQueue } from "./panels/queue.js";
import { setupChat } from "./panels/chat.js";
import { setupLeaderboard } from "./panels/leaderboard.js";
import { setupGeo } from "./panels/geo.js";

window.addEventListener("unhandledrejection", (ev) => showError(ev.reason));
window.addEventListener("error", (ev) => showError(ev.error ?? ev.message));

const db = new Cinnabar({ bridge: "cinnabar-demo-chat" });
const cli = db.duplicate(); // the console's own connection (its own MULTI / SELECT)

/** Runs a panel's setup; a failure shows in that panel, the others still run. */
async function panel(id, setup) {
  try {
    return await setup();
  } catch (e) {
    const el = document.createElement("p");
    el.className = "muted status err";
    document.getElementById(id)?.append(el);
    showError(e, el);
    return null;
  }
}

// ---- INFO readout: parsed from INFO (memory, stats, keyspace) twice a second
let lastOps = null;
let lastAt = 0;
function info() {
  const text = db.call("INFO");
  const f = {};
  let keys = 0;
  for (const line of text.split("\r\n")) {
    const i = line.indexOf(":");
    if (i < 0) continue;
    const k = line.slice(0, i), v = line.slice(i + 1);
    f[k] = v;
    if (/^db\d+$/.test(k)) keys += Number(/keys=(\d+)/.exec(v)?.[1] ?? 0);
  }
  const now = performance.now();
  const ops = Number(f.total_commands_processed);
  const set = (k, v) => { $(`[data-info="${k}"]`).textContent = v; };
  set("used", f.used_memory_human ?? human(Number(f.used_memory)));
  set("keys", keys);
  set("hits", f.keyspace_hits);
  set("misses", f.keyspace_misses);
  set("evicted", f.evicted_keys);
  set("ops", ops);
  if (lastOps !== null) set("opsps", Math.round(((ops - lastOps) * 1000) / Math.max(1, now - lastAt)));
  lastOps = ops;
  lastAt = now;
  set("heap", human(db.memoryUsage().heap));
}

const con = setupConsole(cli);
await panel("cache", () => setupCache(db));
await panel("queue", () => setupQueue(db.duplicate()));
await panel("chat", () => setupChat(db));
await panel("board", () => setupLeaderboard(db));
await panel("geo", () => setupGeo(db));
info();
every(500, info);

// The same package in a module Worker (its own, independent store).
let inWorker = async () => ({ error: "worker unavailable" });
try {
  const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  let nextId = 0;
  const pending = new Map();
  let workerReady;
  const ready = new Promise((ok) => { workerReady = ok; });
  worker.onmessage = ({ data }) => {
    if (data.ready) return workerReady();
    pending.get(data.id)?.(data);
    pending.delete(data.id);
  };
  worker.onerror = (e) => showError(`worker: ${e.message}`);
  inWorker = async (...argv) => {
    await ready;
    return new Promise((ok) => { const id = nextId++; pending.set(id, ok); worker.postMessage({ id, argv }); });
  };
} catch (e) {
  showError(e);
}

window.cinnabar = { db: cli, store: db, run: con.run, format, inWorker };
const input = $("#cmd");
input.disabled = false;
$("#status").textContent = `ready: ${Cinnabar.commands.length} commands`;

const sdb = await panel("sessions", () => setupSessions());
window.cinnabar.sessions = sdb;
document.body.dataset.ready = "1";

const w = await inWorker("PING", "from the worker");
con.print("PING (in a Worker)", w.error ? `(error) ${w.error}` : format(w.reply));
document.body.dataset.worker = "1";
