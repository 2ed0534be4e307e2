// Runs an example of examples/ under workerd (Miniflare) from its own
// wrangler.toml, so the toml is the source of truth of the tests: main,
// compatibility date and flags, [vars], [[rules]] for the .wasm,
// [[durable_objects.bindings]] and [[migrations]] all come from it.
//
// workerd resolves a bare "cinnabar" next to the importing module, so a module
// of that name re-exporting pkg/workerd.js is placed beside each example module
// that imports it: what wrangler's bundler produces by resolving the package's
// "workerd" export condition.
import { readFileSync, readdirSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../..", import.meta.url));

/**
 * A TOML reader for what wrangler.toml files here use: comments, `key = value`
 * with strings ("..." with escapes, '...'), integers, floats, booleans and
 * arrays of those (on one line or several), [tables], [[arrays of tables]] and
 * dotted names. Anything else throws, so an unsupported line cannot be
 * silently misread.
 */
export function parseToml(text) {
  const root = {};
  let table = root;
  const lines = text.split(/\r?\n/);
  const path = (s) => s.split(".").map((p) => p.trim().replace(/^"(.*)"$/, "$1"));
  const descend = (obj, keys) => {
    for (const k of keys) {
      if (obj[k] === undefined) obj[k] = {};
      obj = Array.isArray(obj[k]) ? obj[k][obj[k].length - 1] : obj[k];
    }
    return obj;
  };
  for (let i = 0; i < lines.length; i++) {
    let line = stripComment(lines[i]).trim();
    if (line === "") continue;
    let m;
    if ((m = /^\[\[([^\]]+)\]\]$/.exec(line))) {
      const keys = path(m[1]);
      const parent = descend(root, keys.slice(0, -1));
      const last = keys[keys.length - 1];
      (parent[last] ??= []).push((table = {}));
      continue;
    }
    if ((m = /^\[([^\]]+)\]$/.exec(line))) {
      table = descend(root, path(m[1]));
      continue;
    }
    m = /^([A-Za-z0-9_.\-" ]+?)\s*=\s*(.*)$/.exec(line);
    if (!m) throw new SyntaxError(`toml line ${i + 1}: cannot read '${lines[i]}'`);
    let raw = m[2];
    // an array may continue over several lines
    while (raw.startsWith("[") && !balanced(raw)) {
      if (++i >= lines.length) throw new SyntaxError("toml: unterminated array");
      raw += " " + stripComment(lines[i]).trim();
    }
    const keys = path(m[1]);
    descend(table, keys.slice(0, -1))[keys[keys.length - 1]] = parseValue(raw.trim(), i + 1);
  }
  return root;
}

function stripComment(line) {
  let q = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q) {
      if (c === "\\" && q === '"') i++;
      else if (c === q) q = null;
    } else if (c === '"' || c === "'") q = c;
    else if (c === "#") return line.slice(0, i);
  }
  return line;
}

function balanced(s) {
  let depth = 0;
  let q = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (q) {
      if (c === "\\" && q === '"') i++;
      else if (c === q) q = null;
    } else if (c === '"' || c === "'") q = c;
    else if (c === "[") depth++;
    else if (c === "]") depth--;
  }
  return depth === 0;
}

function parseValue(raw, line) {
  if (raw.startsWith('"')) return JSON.parse(raw);
  if (raw.startsWith("'") && raw.endsWith("'")) return raw.slice(1, -1);
  if (raw === "true" || raw === "false") return raw === "true";
  if (/^[+-]?\d[\d_]*(\.\d+)?([eE][+-]?\d+)?$/.test(raw)) return Number(raw.replaceAll("_", ""));
  if (raw.startsWith("[") && raw.endsWith("]")) {
    const items = [];
    let cur = "";
    let depth = 0;
    let q = null;
    for (const c of raw.slice(1, -1)) {
      if (q) {
        if (c === q) q = null;
      } else if (c === '"' || c === "'") q = c;
      else if (c === "[") depth++;
      else if (c === "]") depth--;
      else if (c === "," && depth === 0) {
        if (cur.trim()) items.push(parseValue(cur.trim(), line));
        cur = "";
        continue;
      }
      cur += c;
    }
    if (cur.trim()) items.push(parseValue(cur.trim(), line));
    return items;
  }
  throw new SyntaxError(`toml line ${line}: unsupported value '${raw}'`);
}

/** The parsed wrangler.toml of examples/<name>. */
export function readWrangler(example) {
  const dir = join(ROOT, "examples", example);
  return { dir, config: parseToml(readFileSync(join(dir, "wrangler.toml"), "utf8")) };
}

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/** Miniflare's module type for a file, from the toml's [[rules]] (wrangler's defaults otherwise). */
function moduleType(rules, file) {
  for (const r of rules ?? []) {
    for (const g of r.globs ?? []) {
      const ext = /^\*\*\/\*(\.[\w.]+)$/.exec(g)?.[1];
      if (ext === undefined) throw new Error(`wrangler.toml: only rules of the form **/*.ext are read here, got ${g}`);
      if (file.endsWith(ext)) return r.type;
    }
  }
  return file.endsWith(".wasm") ? "CompiledWasm" : "ESModule";
}

/**
 * Miniflare options for examples/<name>: its modules (main first, every .js of
 * main's folder, the package's modules), compatibility settings, [vars] (with
 * `vars` overriding), Durable Object bindings (SQLite-backed when a migration
 * lists the class in new_sqlite_classes), on 127.0.0.1 with a free port.
 */
export function miniflareOptions(example, { vars = {}, ...extra } = {}) {
  const { dir, config } = readWrangler(example);
  const main = join(dir, config.main);
  const srcDir = dirname(main);
  const js = walk(srcDir).filter((f) => f.endsWith(".js"));
  const modules = [main, ...js.filter((f) => f !== main)].map((path) => ({ type: "ESModule", path }));
  const shims = new Set();
  for (const f of js) {
    if (/from\s+["']cinnabar["']/.test(readFileSync(f, "utf8"))) shims.add(dirname(f));
  }
  for (const d of shims) {
    modules.push({
      type: "ESModule",
      path: join(d, "cinnabar"),
      contents: `export * from "${relative(d, join(ROOT, "pkg/workerd.js"))}";`,
    });
  }
  const pkg = [
    join(ROOT, "pkg/workerd.js"),
    ...readdirSync(join(ROOT, "pkg/src"))
      .filter((f) => f.endsWith(".js"))
      .map((f) => join(ROOT, "pkg/src", f)),
    join(ROOT, "pkg/dist/cinnabar.js"),
    join(ROOT, "pkg/dist/cinnabar_bg.wasm"),
  ];
  for (const path of pkg) modules.push({ type: moduleType(config.rules, path), path });

  const sqlite = new Set((config.migrations ?? []).flatMap((m) => m.new_sqlite_classes ?? []));
  const durableObjects = {};
  for (const b of config.durable_objects?.bindings ?? []) {
    durableObjects[b.name] = { className: b.class_name, useSQLite: sqlite.has(b.class_name) };
  }
  return {
    modules,
    modulesRoot: ROOT,
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: config.compatibility_flags ?? [],
    bindings: { ...(config.vars ?? {}), ...vars },
    durableObjects,
    host: "127.0.0.1",
    port: 0,
    ...extra,
  };
}

/**
 * An origin on 127.0.0.1 for the cache: `handler(req, res)` answers; `hits`
 * counts requests per path (with query).
 */
export async function startOrigin(handler) {
  const hits = new Map();
  const server = createServer((req, res) => {
    hits.set(req.url, (hits.get(req.url) ?? 0) + 1);
    handler(req, res);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    hits,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
