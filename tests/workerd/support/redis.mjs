// A real redis-server on 127.0.0.1 (a free port, no persistence) and a minimal
// RESP2 client, to compare the examples' answers with Redis itself.
import { spawn, spawnSync } from "node:child_process";
import net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** Whether redis-server is on PATH. */
export const hasRedis = () => spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;

async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** Starts redis-server; `call(...argv)` sends one command and resolves its reply (errors as { error }). */
export async function startRedis() {
  const port = await freePort();
  const proc = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  let sock;
  for (let i = 0; i < 100 && !sock; i++) {
    await sleep(50);
    sock = await new Promise((resolve) => {
      const s = net.createConnection({ port, host: "127.0.0.1" }, () => resolve(s));
      s.on("error", () => resolve(undefined));
    });
  }
  if (!sock) throw new Error("redis-server did not start");
  let buf = Buffer.alloc(0);
  const waiting = [];
  sock.on("data", (d) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      const r = parse(buf, 0);
      if (r === null) return;
      buf = buf.subarray(r.end);
      waiting.shift()(r.value);
    }
  });
  const call = (...argv) =>
    new Promise((resolve) => {
      waiting.push(resolve);
      const parts = argv.map((a) => Buffer.from(String(a)));
      sock.write(Buffer.concat([Buffer.from(`*${parts.length}\r\n`), ...parts.flatMap((p) => [Buffer.from(`$${p.length}\r\n`), p, Buffer.from("\r\n")])]));
    });
  const stop = async () => {
    sock.destroy();
    proc.kill();
    await new Promise((r) => (proc.exitCode !== null ? r() : proc.once("exit", r)));
  };
  return { call, stop };
}

/** One RESP2 value at `at`: { value, end }, or null when incomplete. */
function parse(buf, at) {
  const eol = buf.indexOf("\r\n", at);
  if (eol < 0) return null;
  const line = buf.toString("utf8", at + 1, eol);
  const next = eol + 2;
  switch (String.fromCharCode(buf[at])) {
    case "+":
      return { value: line, end: next };
    case "-":
      return { value: { error: line }, end: next };
    case ":":
      return { value: Number(line), end: next };
    case "$": {
      const n = Number(line);
      if (n < 0) return { value: null, end: next };
      if (buf.length < next + n + 2) return null;
      return { value: buf.toString("utf8", next, next + n), end: next + n + 2 };
    }
    case "*": {
      const n = Number(line);
      if (n < 0) return { value: null, end: next };
      const out = [];
      let end = next;
      for (let i = 0; i < n; i++) {
        const r = parse(buf, end);
        if (r === null) return null;
        out.push(r.value);
        end = r.end;
      }
      return { value: out, end };
    }
    default:
      throw new Error(`bad RESP byte ${buf[at]}`);
  }
}
