// Small DOM and formatting helpers shared by the demo's panels.

export const $ = (sel, root = document) => root.querySelector(sel);

/** Creates an element: h("li", { class: "x" }, "text", child). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "style") el.style.cssText = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  el.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

export const svg = (tag, attrs = {}) => {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
};

/** Shows an error in the page (a panel's status line, else the toast), never throws. */
export function showError(e, where) {
  const msg = e instanceof Error ? `${e.name === "ReplyError" ? "" : e.name + ": "}${e.message}` : String(e);
  const el = where ?? document.getElementById("toast");
  if (!el) return;
  el.textContent = msg;
  el.classList.add("err");
  el.hidden = false;
  if (!where) {
    clearTimeout(showError.t);
    showError.t = setTimeout(() => { el.hidden = true; }, 6000);
  }
}

/** Wraps an event handler (sync or async) so an error shows in `where` instead of escaping. */
export const guard = (fn, where) => async (...args) => {
  try {
    await fn(...args);
  } catch (e) {
    showError(e, where);
  }
};

/** A setInterval whose callback errors show in the page. */
export function every(ms, fn, where) {
  return setInterval(() => {
    try { fn(); } catch (e) { showError(e, where); }
  }, ms);
}

/** Adds a line at the top of a log list, keeping the newest `max`. */
export function logLine(list, max, ...children) {
  list.prepend(h("li", {}, ...children));
  while (list.children.length > max) list.lastElementChild.remove();
}

export const clock = () => new Date().toTimeString().slice(0, 8);

/** 1536 → "1.50K" as INFO's *_human fields. */
export function human(n) {
  const u = ["B", "K", "M", "G"];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return i === 0 ? `${n}B` : `${n.toFixed(2)}${u[i]}`;
}

/** ms → "9.4 s" / "4:59". */
export function fmtMs(ms) {
  if (ms < 0) return "–";
  if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** A seeded PRNG (mulberry32): the same points and players on every load. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
