// Panel 7: a redis-cli-like console on its own connection to the page's store
// (its own SELECT, MULTI and WATCH state, so a MULTI typed here never captures
// the other panels' commands). Input is split as redis-cli's sdssplitargs does;
// replies are printed as redis-cli prints them in a terminal.
import { ReplyError } from "cinnabar";
import { $, h } from "./ui.js";

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * Splits a command line like redis-cli: spaces separate arguments; "double
 * quotes" take \n \r \t \b \a \xHH and \<any>; 'single quotes' take \'. A
 * closing quote must be followed by a space or the end. Returns the arguments
 * as bytes, or null for unbalanced quotes (redis-cli: "Invalid argument(s)").
 */
export function tokenize(line) {
  const out = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && /\s/.test(line[i])) i++;
    if (i >= n) break;
    const bytes = [];
    const text = (s) => { for (const b of enc.encode(s)) bytes.push(b); };
    const q = line[i] === '"' || line[i] === "'" ? line[i++] : "";
    for (;;) {
      if (i >= n) {
        if (q) return null;
        break;
      }
      const c = line[i];
      if (!q) {
        if (/\s/.test(c)) break;
        text(c); i++; continue;
      }
      if (c === q) {
        i++;
        if (i < n && !/\s/.test(line[i])) return null;
        break;
      }
      if (q === '"' && c === "\\" && i + 1 < n) {
        const e = line[i + 1];
        if (e === "x" && /^[0-9a-fA-F]{2}$/.test(line.slice(i + 2, i + 4))) {
          bytes.push(parseInt(line.slice(i + 2, i + 4), 16)); i += 4; continue;
        }
        text({ n: "\n", r: "\r", t: "\t", b: "\b", a: "\x07" }[e] ?? e); i += 2; continue;
      }
      if (q === "'" && c === "\\" && line[i + 1] === "'") { text("'"); i += 2; continue; }
      // a character outside the BMP is two UTF-16 units: keep the pair together
      const cp = line.codePointAt(i);
      const ch = String.fromCodePoint(cp);
      text(ch); i += ch.length;
    }
    out.push(Uint8Array.from(bytes));
  }
  return out;
}

/** redis-cli's sdscatrepr: "quoted", with \\ \" \n \r \t \a \b and \xHH for other unprintable bytes. */
export function repr(bytes) {
  let s = '"';
  for (const b of bytes) {
    if (b === 0x5c) s += "\\\\";
    else if (b === 0x22) s += '\\"';
    else if (b === 0x0a) s += "\\n";
    else if (b === 0x0d) s += "\\r";
    else if (b === 0x09) s += "\\t";
    else if (b === 0x07) s += "\\a";
    else if (b === 0x08) s += "\\b";
    else if (b >= 0x20 && b < 0x7f) s += String.fromCharCode(b);
    else s += "\\x" + b.toString(16).padStart(2, "0");
  }
  return s + '"';
}

// Commands whose string reply is a status reply (printed bare by redis-cli).
const STATUS = new Set(["set", "mset", "setex", "psetex", "hmset", "lset", "ltrim", "rename", "flushdb", "flushall",
  "select", "swapdb", "multi", "discard", "watch", "unwatch", "restore", "pfmerge", "xsetid", "type", "ping", "reset",
  "quit", "config", "client", "script", "function", "xgroup", "debug", "save", "bgsave", "bgrewriteaof", "readonly", "readwrite"]);

/** Whether `reply` (bytes) answering `argv` was a status reply. */
function isStatus(argv, reply) {
  const name = dec.decode(argv[0]).toLowerCase();
  if (!STATUS.has(name) || !(reply instanceof Uint8Array)) return false;
  const text = dec.decode(reply);
  if (name === "type" || name === "reset") return true;
  if (name === "ping") return argv.length === 1;
  if (name === "set" && argv.slice(3).some((a) => dec.decode(a).toLowerCase() === "get")) return false;
  return text === "OK";
}

/** Formats a reply (strings as bytes) the way redis-cli prints it in a terminal. */
export function format(r, status = false, indent = "") {
  if (r === null || r === undefined) return "(nil)";
  if (typeof r === "number") return `(integer) ${r}`;
  if (r instanceof ReplyError) return `(error) ${r.message}`;
  if (r instanceof Uint8Array) return status ? dec.decode(r) : repr(r);
  if (typeof r === "string") return status ? r : repr(enc.encode(r));
  if (Array.isArray(r)) {
    if (r.length === 0) return "(empty array)";
    const w = String(r.length).length;
    return r.map((x, i) => {
      const head = `${String(i + 1).padStart(w)}) `;
      const st = Array.isArray(status) ? status[i] : false;
      return (i ? indent : "") + head + format(x, st, indent + " ".repeat(head.length));
    }).join("\n");
  }
  return String(r);
}

/** The console: `cli` is the console's own connection. Returns { run } (a line → the text shown). */
export function setupConsole(cli) {
  const log = $("#log");
  const input = $("#cmd");
  const history = [];
  let hpos = 0;
  let queued = null; // argv lists queued since MULTI, or null outside MULTI

  /** Runs one command line; resolves to the text redis-cli would print. */
  async function run(line) {
    const argv = tokenize(line);
    if (argv === null) return "Invalid argument(s)";
    if (argv.length === 0) return "";
    const name = dec.decode(argv[0]).toLowerCase();
    let reply;
    try {
      reply = cli.callBuffer(dec.decode(argv[0]), ...argv.slice(1)); // the name as text, arguments as bytes
      if (reply instanceof Promise) reply = await reply; // blocking commands
    } catch (e) {
      if (!(e instanceof ReplyError)) return `(error) ${e.message}`;
      if (name === "exec" || name === "discard") queued = null;
      return `(error) ${e.message}`;
    }
    if (name === "info" && reply instanceof Uint8Array) return dec.decode(reply).replace(/\r\n/g, "\n").trimEnd();
    if (queued !== null && name !== "exec" && name !== "discard" && name !== "multi" && name !== "watch") {
      queued.push(argv);
      return dec.decode(reply); // QUEUED
    }
    if (name === "multi") queued = [];
    if (name === "discard") queued = null;
    if (name === "exec") {
      const cmds = queued ?? [];
      queued = null;
      const st = Array.isArray(reply) ? reply.map((x, i) => cmds[i] !== undefined && isStatus(cmds[i], x)) : false;
      return format(reply, st);
    }
    return format(reply, isStatus(argv, reply));
  }

  function print(line, text) {
    const a = h("div", { class: "in" }, line);
    const b = h("div", { class: text.startsWith("(error)") ? "err" : undefined }, text);
    log.append(a, b);
    log.scrollTop = log.scrollHeight;
  }

  // After SUBSCRIBE / PSUBSCRIBE / SSUBSCRIBE here, messages arrive as redis-cli shows them
  // (the console stays usable: UNSUBSCRIBE, PING and the other commands allowed then).
  const push = (...parts) => {
    log.append(h("div", { class: "push" }, format(parts)));
    log.scrollTop = log.scrollHeight;
  };
  cli.on("messageBuffer", (channel, message) => push(enc.encode("message"), channel, message));
  cli.on("pmessageBuffer", (pattern, channel, message) => push(enc.encode("pmessage"), pattern, channel, message));
  cli.on("smessageBuffer", (channel, message) => push(enc.encode("smessage"), channel, message));

  $("#form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const line = input.value.trim();
    if (!line) return;
    if (history[history.length - 1] !== line) history.push(line);
    hpos = history.length;
    input.value = "";
    if (line.toLowerCase() === "clear") { log.textContent = ""; return; }
    let text;
    try {
      text = await run(line);
    } catch (e) {
      text = `(error) ${e.message}`;
    }
    print(line, text);
    dispatchEvent(new CustomEvent("cinnabar:console", { detail: { line } }));
  });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "ArrowUp" && hpos > 0) { input.value = history[--hpos]; ev.preventDefault(); }
    else if (ev.key === "ArrowDown" && hpos < history.length) { input.value = history[++hpos] ?? ""; ev.preventDefault(); }
  });
  return { run, print };
}
