// Panel 2: sessions in a store kept in IndexedDB. The session id lives in
// localStorage (as a cookie would hold it); the session itself is a hash with a
// TTL in the idb:// store, so after a reload it is still there, its TTL having
// kept counting.
import { Cinnabar } from "cinnabar";
import { Sessions } from "cinnabar/sessions";
import { $, every, guard, showError, fmtMs } from "../ui.js";

const LIFETIME = "5m";
const ID_KEY = "cinnabar-demo:session";

export async function setupSessions() {
  const status = $("#sess-status");
  let sdb;
  try {
    sdb = await Cinnabar.open("idb://cinnabar-demo");
  } catch (e) {
    showError(e, status);
    return null;
  }
  const sessions = new Sessions(sdb, { ttl: LIFETIME, prefix: "sess:" });
  let saves = 0;
  sdb.persistence.on("save", ({ generation }) => {
    saves++;
    status.classList.remove("err");
    status.textContent = `saved to IndexedDB (generation ${generation})`;
    status.dataset.saves = String(saves);
  });
  sdb.persistence.on("error", ({ kind, error }) => showError(`IndexedDB ${kind} error: ${error?.message ?? error}`, status));

  const stored = () => {
    try { return localStorage.getItem(ID_KEY); } catch { return null; }
  };
  const remember = (id) => {
    try { id ? localStorage.setItem(ID_KEY, id) : localStorage.removeItem(ID_KEY); } catch { /* storage blocked */ }
  };

  function render() {
    const id = stored();
    const data = id ? sessions.get(id) : null;
    $("#sess-login").hidden = !!data;
    $("#sess-in").hidden = !data;
    if (!data) {
      if (id) remember(null); // expired or destroyed elsewhere
      return;
    }
    const left = sessions.ttlOf(id) ?? 0;
    $("#sess-user").textContent = data.user;
    $("#sess-id").textContent = id.slice(0, 12) + "…";
    $("#sess-ttl").textContent = fmtMs(left);
    $("#sess-ttl").dataset.ms = String(left);
    $("#sess-bar").style.width = `${((left / sessions.ttl) * 100).toFixed(1)}%`;
    const hash = sdb.hgetall(sessions.key(id));
    $("#sess-hash").textContent = `HGETALL ${sessions.key(id)}\n` +
      Object.entries(hash).map(([f, v]) => `  ${f}: ${v}`).join("\n");
  }

  $("#sess-login").addEventListener("submit", guard(async (ev) => {
    ev.preventDefault();
    const name = $("#sess-name").value.trim();
    if (!name) return;
    const id = sessions.create({ user: name, cart: 0, loginAt: new Date().toISOString() });
    remember(id);
    render();
    await sdb.save();
  }, status));
  $("#sess-touch").addEventListener("click", guard(async () => {
    sessions.touch(stored());
    render();
    await sdb.save();
  }, status));
  $("#sess-cart").addEventListener("click", guard(async () => {
    const id = stored();
    sdb.hincrby(sessions.key(id), "cart", 1);
    render();
    await sdb.save();
  }, status));
  $("#sess-logout").addEventListener("click", guard(async () => {
    sessions.destroy(stored());
    remember(null);
    render();
    await sdb.save();
  }, status));

  render();
  status.textContent = stored() ? "session restored from IndexedDB" : "not signed in";
  every(250, render, status);
  return sdb;
}
