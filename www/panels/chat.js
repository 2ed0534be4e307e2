// Panel 4: a chat over PUBLISH/SUBSCRIBE. The page's store joined the
// BroadcastChannel bridge "cinnabar-demo-chat", so a PUBLISH here reaches the
// subscribers in every other tab of this origin too (and this tab's own).
import { $, h, guard, showError } from "../ui.js";

const CHANNEL = "chat:lobby";
const NAME_KEY = "cinnabar-demo:chat-name";

export function setupChat(db) {
  const list = $("#chat-list");
  const name = $("#chat-name");
  const text = $("#chat-text");
  const status = h("p", { class: "muted status" });
  $("#chat").append(status);
  const me = `${Math.random().toString(36).slice(2, 10)}`; // this tab

  try { name.value = localStorage.getItem(NAME_KEY) ?? ""; } catch { /* storage blocked */ }
  if (!name.value) name.value = `guest-${Math.floor(1000 + Math.random() * 9000)}`;
  name.addEventListener("change", () => {
    try { localStorage.setItem(NAME_KEY, name.value.trim()); } catch { /* storage blocked */ }
  });

  const add = (li) => {
    list.append(li);
    while (list.children.length > 100) list.firstElementChild.remove();
    list.scrollTop = list.scrollHeight;
  };
  add(h("li", { class: "sys" }, `subscribed to ${CHANNEL}`));

  db.subscribe(CHANNEL, (raw) => {
    let m;
    try { m = JSON.parse(raw); } catch { m = { from: "?", text: raw }; }
    if (typeof m !== "object" || m === null) m = { from: "?", text: String(raw) };
    const time = new Date(Number(m.ts) || Date.now()).toTimeString().slice(0, 5);
    add(h("li", { class: m.tab === me ? "me" : undefined },
      h("span", { class: "from" }, `${m.from ?? "?"} · ${time}`), String(m.text ?? "")));
  });
  db.on("error", (e) => showError(e, status));

  $("#chat-form").addEventListener("submit", guard((ev) => {
    ev.preventDefault();
    const t = text.value.trim();
    if (!t) return;
    const from = name.value.trim() || "anonymous";
    db.publish(CHANNEL, JSON.stringify({ from, text: t, ts: Date.now(), tab: me }));
    text.value = "";
  }, status));
}
