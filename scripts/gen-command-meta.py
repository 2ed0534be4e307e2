#!/usr/bin/env python3
"""Regenerates src/cmd/meta.txt: COMMAND INFO and COMMAND DOCS as redis-server 7.0 answers
them, for exactly the commands in our table (see src/cmd/meta.rs for the format).

    python3 scripts/gen-command-meta.py            # uses redis-server on PATH

Our command names come from the ignored test `command_table_names` in tests/server.rs, so the
file always follows the table. Run it after adding commands to any family; commit the result.
"""
import collections, os, re, shutil, socket, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "src", "cmd", "meta.txt")


def our_names():
    out = subprocess.run(
        ["cargo", "test", "--quiet", "--test", "server", "--", "--ignored", "--exact",
         "command_table_names", "--nocapture"],
        cwd=ROOT, check=True, capture_output=True, text=True).stdout
    names = [l.split(" ", 1)[1] for l in out.splitlines() if l.startswith("CMDNAME ")]
    if not names:
        sys.exit("no command names printed by command_table_names")
    return names


class Resp:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.buf = b""

    def _fill(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill(len(self.buf) + 1)
        i = self.buf.index(b"\r\n")
        line, self.buf = self.buf[:i], self.buf[i + 2:]
        return line

    def read(self):
        line = self._line()
        t, rest = line[:1], line[1:]
        if t == b"+":
            return ("status", rest.decode())
        if t == b"-":
            raise RuntimeError(rest.decode())
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            self._fill(n + 2)
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data.decode()
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise RuntimeError("bad reply %r" % line)

    def call(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a.encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)
        return self.read()


def valkey_bin():
    """Valkey 9 (scripts/setup.sh caches it): records commands redis-server 7.0 lacks (HEXPIRE...)."""
    b = os.environ.get("VALKEY_SERVER") or os.path.expanduser("~/.cache/cinnabar/valkey-server")
    return b if os.path.exists(b) else None


def start_redis(binary=None):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    d = tempfile.mkdtemp(prefix="cinnabar-meta-")
    start_redis.dir = d
    proc = subprocess.Popen(
        [binary or os.environ.get("REDIS_SERVER", "redis-server"), "--port", str(port), "--bind", "127.0.0.1",
         "--save", "", "--appendonly", "no", "--dir", d],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            return proc, Resp(port)
        except OSError:
            time.sleep(0.05)
    proc.kill()
    sys.exit("redis-server did not start")


def strip_info(info):
    """Subcommands are re-attached at run time from our table."""
    return info[:9] + [[]]


def strip_docs(docs):
    out = []
    for k, v in zip(docs[0::2], docs[1::2]):
        if k != "subcommands":
            out += [k, v]
    return out


def strings_of(v, acc):
    if isinstance(v, list):
        for x in v:
            strings_of(x, acc)
    elif isinstance(v, tuple):
        acc[v[1]] += 1
    elif isinstance(v, str):
        acc[v] += 1


def b36(n):
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    s = ""
    while True:
        s = digits[n % 36] + s
        n //= 36
        if n == 0:
            return s


def enc(v, idx):
    if isinstance(v, list):
        return "[" + "".join(" " + enc(x, idx) for x in v) + " ]"
    if isinstance(v, tuple):
        return "+" + b36(idx[v[1]])
    if isinstance(v, int):
        return ":%d" % v
    if v is None:
        return "_"
    return b36(idx[v])


def esc(s):
    return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")


def main():
    names = our_names()
    proc, r = start_redis()
    try:
        version = r.call("INFO", "server")
        version = re.search(r"redis_version:(\S+)", version).group(1)
        entries = []
        missing = []
        for name in names:
            info = r.call("COMMAND", "INFO", name)[0]
            docs = r.call("COMMAND", "DOCS", name)
            if info is None or not docs:
                missing.append(name)
                continue
            entries.append((name, strip_info(info), strip_docs(docs[1])))
    finally:
        proc.kill()
        proc.wait()
        shutil.rmtree(start_redis.dir, ignore_errors=True)
    if missing and valkey_bin():
        proc, r = start_redis(valkey_bin())
        try:
            still = []
            for name in missing:
                info = r.call("COMMAND", "INFO", name)[0]
                docs = r.call("COMMAND", "DOCS", name)
                if info is None or not docs:
                    still.append(name)
                    continue
                entries.append((name, strip_info(info), strip_docs(docs[1])))
            missing = still
        finally:
            proc.kill()
            proc.wait()
            shutil.rmtree(start_redis.dir, ignore_errors=True)
    counts = collections.Counter()
    for _, i, d in entries:
        strings_of([i, d], counts)
    table = sorted(counts, key=lambda s: (-counts[s], s))
    idx = {s: n for n, s in enumerate(table)}
    lines = ["# Generated by scripts/gen-command-meta.py from redis-server %s; do not edit." % version,
             "# s <string>: the string table (index = order, base 36 below); then one line per command:",
             "# c <fullname> <COMMAND INFO entry> <COMMAND DOCS map>, values as [ ... ] arrays, :int,",
             "# <idx> bulk, +<idx> status, _ nil."]
    lines += ["s " + esc(s) for s in table]
    for name, i, d in entries:
        lines.append("c %s %s %s" % (name, enc(i, idx), enc(d, idx)))
    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote %s: %d commands, %d strings, %d bytes" % (OUT, len(entries), len(table),
                                                           os.path.getsize(OUT)))
    if missing:
        print("redis-server does not know: " + ", ".join(missing), file=sys.stderr)


if __name__ == "__main__":
    main()
