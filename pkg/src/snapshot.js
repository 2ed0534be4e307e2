// Snapshots, the RESP dump/loader, and `Cinnabar.open` (persistence): the
// methods are installed on Cinnabar by src/cinnabar.js (see installSnapshot).
// The format itself is the core's (src/snapshot.rs); this file only moves bytes.

import { openPersistent } from "./persist.js";

const dec = new TextDecoder("utf-8", { ignoreBOM: true });

/** Copies any byte view / ArrayBuffer into a Uint8Array the binding accepts. */
export function toBytes(bytes, what = "snapshot") {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  throw new TypeError(`cinnabar: the ${what} must be a Uint8Array or an ArrayBuffer`);
}

/**
 * The header's database count (src/snapshot.rs: magic 89 'C' 'N' 'B',
 * version, flags, varint databases), or undefined when the header does not
 * look like one (snapshotInfo then says why).
 */
function headerDatabases(b) {
  if (b.length < 7 || b[0] !== 0x89 || b[1] !== 0x43 || b[2] !== 0x4e || b[3] !== 0x42) return undefined;
  let n = 0;
  for (let i = 6, shift = 0; i < Math.min(b.length, 9); i++, shift += 7) {
    n += (b[i] & 0x7f) * 2 ** shift;
    if (b[i] < 0x80) return n >= 1 && n <= 65536 ? n : undefined;
  }
  return undefined;
}

/** An Error carrying the core's message (errors thrown by wasm-bindgen are plain Errors). */
export class SnapshotError extends Error {}
Object.defineProperty(SnapshotError.prototype, "name", { value: "SnapshotError", configurable: true, writable: true });

function wrap(fn) {
  try {
    return fn();
  } catch (e) {
    if (e instanceof Error && typeof e.message === "string" && /^(snapshot|RESP)/.test(e.message)) {
      throw new SnapshotError(e.message);
    }
    throw e;
  }
}

/** Decodes the binding's restore result: u32 keys, u32 n, n × (u32 db, u32 len, key), u32 evicted. */
export function decodeRestored(out) {
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const keys = dv.getUint32(0, true);
  const n = dv.getUint32(4, true);
  const expired = [];
  let p = 8;
  for (let i = 0; i < n; i++) {
    const db = dv.getUint32(p, true);
    const len = dv.getUint32(p + 4, true);
    const keyBuffer = out.slice(p + 8, p + 8 + len);
    p += 8 + len;
    expired.push({ db, key: dec.decode(keyBuffer), keyBuffer });
  }
  const evicted = p + 4 <= out.byteLength ? dv.getUint32(p, true) : 0;
  return { keys, expired, evicted };
}

function decodeLoad(out) {
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const commands = dv.getUint32(0, true);
  const errorCount = dv.getUint32(4, true);
  const n = dv.getUint32(8, true);
  const errors = [];
  let p = 12;
  for (let i = 0; i < n; i++) {
    const index = dv.getUint32(p, true);
    const len = dv.getUint32(p + 4, true);
    errors.push({ index, message: dec.decode(out.subarray(p + 8, p + 8 + len)) });
    p += 8 + len;
  }
  return { commands, errorCount, errors };
}

/** Restores into the store behind `db`; the result ({ keys, expired }). */
export function restoreInto(store, bytes, merge) {
  return decodeRestored(wrap(() => store.restore(toBytes(bytes), merge)));
}

/**
 * Installs snapshot methods on the Cinnabar class. `storeOf(db)` gives the
 * wasm Store of a connection; `glue()` the wasm-bindgen glue module.
 */
export function installSnapshot(Cinnabar, storeOf, glue, settle = () => {}) {
  const define = (obj, name, value) =>
    Object.defineProperty(obj, name, { value, writable: true, configurable: true, enumerable: false });

  define(Cinnabar.prototype, "snapshot", function snapshot() {
    return wrap(() => storeOf(this).snapshot());
  });

  define(Cinnabar.prototype, "restore", function restore(bytes) {
    const r = restoreInto(storeOf(this), bytes, false);
    settle(this);
    return r;
  });

  define(Cinnabar.prototype, "dump", function dump(options = {}) {
    const format = options.format ?? "resp";
    if (format !== "resp") throw new RangeError(`cinnabar: unknown dump format ${JSON.stringify(format)} (supported: "resp")`);
    return wrap(() => storeOf(this).dumpResp(options.hashFieldTtl !== false));
  });

  define(Cinnabar.prototype, "load", function load(bytes, options = {}) {
    const format = options.format ?? "resp";
    if (format !== "resp") throw new RangeError(`cinnabar: unknown load format ${JSON.stringify(format)} (supported: "resp")`);
    const b = typeof bytes === "string" ? new TextEncoder().encode(bytes) : toBytes(bytes, "stream");
    const r = decodeLoad(wrap(() => storeOf(this).loadResp(b)));
    settle(this);
    return r;
  });

  define(Cinnabar, "snapshotInfo", function snapshotInfo(bytes) {
    const [version, databases, savedAt, keys] = wrap(() => glue().Store.snapshotInfo(toBytes(bytes)));
    return { version, databases, savedAt, keys };
  });

  define(Cinnabar, "fromSnapshot", function fromSnapshot(bytes, options = {}) {
    const b = toBytes(bytes);
    // The database count from the header alone: the restore checks the whole
    // snapshot (checksum included) anyway, so it is not checksummed twice.
    const databases = headerDatabases(b) ?? Cinnabar.snapshotInfo(b).databases;
    const { onExpired, ...rest } = options ?? {};
    const db = new Cinnabar({ databases, ...rest });
    let result;
    try {
      result = restoreInto(storeOf(db), b, false);
      settle(db);
    } catch (e) {
      db.close();
      throw e;
    }
    if (typeof onExpired === "function" && result.expired.length > 0) onExpired(result.expired);
    return db;
  });

  define(Cinnabar, "open", function open(url = "memory://", options = {}) {
    return openPersistent(Cinnabar, storeOf, url, options, settle);
  });
}
