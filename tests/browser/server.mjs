// A tiny static file server on 127.0.0.1 for the browser tests and the demo
// (`npm run serve`): serves the repository root (or any directory), `/` → www/,
// .wasm as application/wasm.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".ts": "text/plain; charset=utf-8",
};

/** Starts serving `root`; `index` is the page for `/`. Resolves to { url, close }. */
export function startServer(root, { index = "/www/", port = 0 } = {}) {
  root = resolve(root);
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
      if (path === "/" && index !== "/") {
        // A redirect, so the page's relative URLs (its worker) resolve next to it.
        res.writeHead(302, { location: index });
        return res.end();
      }
      const file = normalize(join(root, path));
      if (!file.startsWith(root)) throw Object.assign(new Error("outside root"), { code: "ENOENT" });
      const st = await stat(file);
      const body = await readFile(st.isDirectory() ? join(file, "index.html") : file);
      const type = TYPES[extname(st.isDirectory() ? "x.html" : file)] ?? "application/octet-stream";
      res.writeHead(200, { "content-type": type, "cache-control": "no-store" });
      res.end(body);
    } catch (e) {
      res.writeHead(e.code === "ENOENT" || e.code === "ENOTDIR" ? 404 : 500, { "content-type": "text/plain" });
      res.end(String(e.message));
    }
  });
  return new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(port, "127.0.0.1", () => {
      const { port } = server.address();
      ok({ url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const { url } = await startServer(root, { port: Number(process.env.PORT ?? 8080) });
  console.log(`serving ${root} at ${url}`);
}
