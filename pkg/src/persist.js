// IndexedDB persistence for `Cinnabar.open("idb://name", options)`.
//
// Storage: one IndexedDB database per name ("cinnabar:" + name) with one object
// store holding three records: "head" ({ slot, generation, savedAt, size }) and
// two snapshot slots "slot0"/"slot1". A save writes the slot the head does NOT
// point at and the new head in ONE readwrite transaction: IndexedDB commits a
// transaction entirely or not at all, so a tab killed mid-save leaves the
// previous head and its snapshot in place; and the previous generation stays
// in the other slot as a fallback if the newest one ever fails to decode.
//
// Several tabs (or workers) on one name: every tab keeps its own in-memory
// store and may write; nobody is read-only. The core tracks which keys each
// tab changed since its last save. A save runs under the Web Lock
// "cinnabar:idb:" + name (navigator.locks; one in-process queue where there is
// none): it reads the head, and if another tab saved since, first merges that
// snapshot under its own unsaved keys (Server::merge_snapshot: last writer wins
// per key; a database FLUSHed here is kept whole), then writes generation + 1.
// So a tab never overwrites keys it did not change. After a save, a
// BroadcastChannel message tells the other tabs, which merge the new snapshot
// at once (under the lock) so they read each other's writes within a moment.
//
// Saves are debounced: a poll of the core's change counter (every 50 ms while
// open) saves once writes pause for `saveDelay` ms, or after `maxSaveDelay` ms
// of continuous writes; also on pagehide / visibilitychange→hidden, on
// `await db.save()` and on `await db.close()`. durability "strict" (default)
// saves after 0 ms with IndexedDB's "strict" durability hint; "relaxed" waits
// 1000 ms and uses the "relaxed" hint (faster, may lose the last second on a
// power cut). A failed save (quota exceeded, connection lost, ...) keeps the
// data in memory, dispatches an "error" event, and is retried with backoff
// (1 s doubling to 60 s); a lost connection is reopened for the retry.

import { restoreInto, toBytes, SnapshotError } from "./snapshot.js";

const STORE = "cinnabar";

/** In-process lock queues (used where navigator.locks is missing, e.g. Node 20). */
const localLocks = new Map();
function localLock(name, fn) {
  const prev = localLocks.get(name) ?? Promise.resolve();
  const run = prev.then(fn, fn);
  const tail = run.catch(() => {});
  localLocks.set(name, tail);
  tail.then(() => {
    if (localLocks.get(name) === tail) localLocks.delete(name);
  });
  return run;
}

function req(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error("cinnabar: IndexedDB transaction failed"));
    tx.onabort = () => reject(tx.error ?? new DOMExceptionLike("AbortError", "cinnabar: IndexedDB transaction aborted"));
  });
}

class DOMExceptionLike extends Error {
  constructor(name, message) {
    super(message);
    this.name = name;
  }
}

function errorKind(e) {
  const name = e && e.name;
  if (name === "QuotaExceededError") return "quota";
  if (name === "InvalidStateError" || name === "TransactionInactiveError" || name === "UnknownError") return "connection";
  if (e instanceof SnapshotError) return "corrupt";
  return "io";
}

function parseUrl(url) {
  if (typeof url !== "string") throw new TypeError("cinnabar: Cinnabar.open takes a URL string such as \"idb://app\"");
  const m = /^([a-z]+):\/\/(.*)$/.exec(url);
  if (!m) throw new TypeError(`cinnabar: cannot open ${JSON.stringify(url)}: expected "idb://name" or "memory://"`);
  if (m[1] === "memory") return { kind: "memory" };
  if (m[1] === "idb") {
    if (m[2] === "") throw new TypeError("cinnabar: idb:// needs a name, as in \"idb://app\"");
    return { kind: "idb", name: m[2] };
  }
  throw new TypeError(`cinnabar: unknown storage ${JSON.stringify(m[1] + "://")} (supported: idb://, memory://)`);
}

/**
 * Persistence state of one opened store; exposed as `db.persistence`.
 * Events (CustomEvent, `detail` below): "save" { generation, bytes, ms },
 * "error" { error, kind: "quota" | "connection" | "corrupt" | "io", retryIn },
 * "expired" { keys: [{ db, key, keyBuffer }] }, "sync" { generation, keys }.
 */
export class Persistence extends EventTarget {
  #store;
  #idb = null;
  #opening = null;
  #lockName;
  #channel = null;
  #timer = null;
  #saving = null;
  #again = false;
  #retryAt = 0;
  #backoff = 0;
  #lastCount = -1;
  #changedAt = 0;
  #dirtySince = 0;
  #closed = false;
  #onHide = null;
  #origin = Math.random().toString(36).slice(2);

  #settle;

  constructor(store, name, o, settle) {
    super();
    this.#store = store;
    this.#settle = settle;
    this.name = name;
    this.dbName = "cinnabar:" + name;
    this.#lockName = "cinnabar:idb:" + name;
    this.durability = o.durability;
    this.saveDelay = o.saveDelay;
    this.maxSaveDelay = o.maxSaveDelay;
    this.indexedDB = o.indexedDB;
    this.locks = o.locks;
    /** Generation of the snapshot this store last loaded or saved (0: none yet). */
    this.generation = 0;
    this.slot = 1;
    /** The last save or load error, cleared by a successful save. */
    this.lastError = null;
  }

  on(type, fn) {
    const h = (ev) => fn(ev.detail);
    this.addEventListener(type, h);
    return () => this.removeEventListener(type, h);
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  #lock(fn) {
    if (this.locks && typeof this.locks.request === "function") {
      return this.locks.request(this.#lockName, { mode: "exclusive" }, fn);
    }
    return localLock(this.#lockName, fn);
  }

  async #connect() {
    if (this.#idb) return this.#idb;
    if (this.#opening) return this.#opening;
    this.#opening = (async () => {
      const r = this.indexedDB.open(this.dbName, 1);
      r.onupgradeneeded = () => {
        if (!r.result.objectStoreNames.contains(STORE)) r.result.createObjectStore(STORE);
      };
      const db = await req(r);
      db.onclose = () => {
        // The browser closed it (storage cleared, disk error): reopen on the next save.
        if (this.#idb === db) this.#idb = null;
        if (!this.#closed) this.#emit("error", { error: new Error("cinnabar: the IndexedDB connection was lost"), kind: "connection", retryIn: 0 });
      };
      db.onversionchange = () => {
        db.close();
        if (this.#idb === db) this.#idb = null;
      };
      this.#idb = db;
      return db;
    })();
    try {
      return await this.#opening;
    } finally {
      this.#opening = null;
    }
  }

  async #read(keys) {
    const db = await this.#connect();
    const tx = db.transaction(STORE, "readonly");
    const os = tx.objectStore(STORE);
    const out = await Promise.all(keys.map((k) => req(os.get(k))));
    return out;
  }

  /** Loads the newest decodable snapshot (falls back to the previous generation). */
  async load() {
    return this.#lock(async () => {
      const [head, s0, s1] = await this.#read(["head", "slot0", "slot1"]);
      if (head === undefined) return null;
      const slots = [s0, s1];
      const tries = [[head.slot, head.generation], [1 - head.slot, head.generation - 1]];
      let firstError = null;
      for (const [slot, generation] of tries) {
        const bytes = slots[slot];
        if (bytes === undefined) continue;
        try {
          const result = restoreInto(this.#store, toBytes(bytes), false);
          this.#store.trackChanges(true);
          this.generation = head.generation; // the next save goes past the head
          this.slot = slot;
          if (firstError) this.#emit("error", { error: firstError, kind: "corrupt", retryIn: null });
          return result;
        } catch (e) {
          // Too big for maxmemory (noeviction) is not damage: an older, smaller
          // generation must not quietly stand in for the newest data.
          if (/ maxmemory /.test(e?.message)) throw e;
          firstError ??= e;
        }
      }
      throw firstError;
    });
  }

  /** Merges another tab's newer save, if any, under this store's unsaved keys. */
  async #pull() {
    const [head] = await this.#read(["head"]);
    if (head === undefined || head.generation === this.generation) return head;
    const [bytes] = await this.#read(["slot" + head.slot]);
    const result = restoreInto(this.#store, toBytes(bytes), true);
    this.#settle();
    this.generation = head.generation;
    this.slot = head.slot;
    this.#emit("sync", { generation: head.generation, keys: result.keys });
    if (result.expired.length > 0) this.#emit("expired", { keys: result.expired });
    return head;
  }

  /** Brings in the other tabs' saves (called when one announces a save). */
  sync() {
    if (this.#closed) return Promise.resolve();
    return this.#lock(() => this.#pull()).catch((e) => this.#failed(e, false));
  }

  /** Saves now (merging other tabs' saves first); resolves when committed. */
  save(force = false) {
    if (this.#closed) return Promise.resolve();
    if (this.#saving) {
      this.#again = true;
      return this.#saving.then(() => (this.#again ? this.save(force) : undefined));
    }
    this.#again = false;
    const run = this.#lock(async () => {
      const t0 = Date.now();
      const head = await this.#pull();
      if (!force && head !== undefined && this.#store.pendingChanges() === 0) return;
      const slot = head === undefined ? 0 : 1 - head.slot;
      const generation = (head === undefined ? 0 : head.generation) + 1;
      this.#store.beginSave();
      let ok = false;
      try {
        const bytes = this.#store.snapshot();
        const db = await this.#connect();
        const tx = db.transaction(STORE, "readwrite", { durability: this.durability });
        const os = tx.objectStore(STORE);
        os.put(bytes, "slot" + slot);
        os.put({ slot, generation, savedAt: Date.now(), size: bytes.length }, "head");
        await done(tx);
        ok = true;
        this.generation = generation;
        this.slot = slot;
        this.lastError = null;
        this.#backoff = 0;
        this.#retryAt = 0;
        this.#emit("save", { generation, bytes: bytes.length, ms: Date.now() - t0 });
        if (this.#channel) this.#channel.postMessage({ v: 1, type: "saved", generation, origin: this.#origin });
      } finally {
        this.#store.endSave(ok);
      }
    });
    this.#saving = run.then(
      () => {
        this.#saving = null;
      },
      (e) => {
        this.#saving = null;
        this.#failed(e, true);
        throw e;
      },
    );
    return this.#saving;
  }

  #failed(e, retry) {
    this.lastError = e;
    const kind = errorKind(e);
    if (kind === "connection" && this.#idb) {
      try {
        this.#idb.close();
      } catch {}
      this.#idb = null;
    }
    let retryIn = null;
    if (retry) {
      this.#backoff = Math.min(this.#backoff ? this.#backoff * 2 : 1000, 60000);
      this.#retryAt = Date.now() + this.#backoff;
      retryIn = this.#backoff;
    }
    this.#emit("error", { error: e, kind, retryIn });
  }

  /** Starts the debouncer, page-lifecycle hooks and the cross-tab channel. */
  start() {
    this.#timer = setInterval(() => this.#tick(), 50);
    if (typeof this.#timer === "object" && typeof this.#timer.unref === "function") this.#timer.unref();
    if (typeof BroadcastChannel === "function") {
      try {
        this.#channel = new BroadcastChannel(this.#lockName);
        this.#channel.onmessage = (ev) => {
          const m = ev.data;
          if (m && m.v === 1 && m.type === "saved" && m.origin !== this.#origin && m.generation > this.generation) this.sync();
        };
        if (typeof this.#channel.unref === "function") this.#channel.unref();
      } catch {
        this.#channel = null;
      }
    }
    if (typeof addEventListener === "function" && typeof document !== "undefined") {
      this.#onHide = (ev) => {
        if (ev.type === "pagehide" || document.visibilityState === "hidden") this.flush();
      };
      addEventListener("pagehide", this.#onHide);
      document.addEventListener("visibilitychange", this.#onHide);
    }
  }

  #tick() {
    const store = this.#store;
    if (this.#closed || this.#saving) return;
    const now = Date.now();
    const count = store.changeCount();
    if (count !== this.#lastCount) {
      this.#lastCount = count;
      this.#changedAt = now;
    }
    if (store.pendingChanges() === 0) {
      this.#dirtySince = 0;
      return;
    }
    if (this.#dirtySince === 0) this.#dirtySince = now;
    if (now < this.#retryAt) return;
    if (now - this.#changedAt >= this.saveDelay || now - this.#dirtySince >= this.maxSaveDelay) {
      this.save().catch(() => {});
    }
  }

  /** Saves if anything is pending, without waiting (page hide). */
  flush() {
    if (!this.#closed && this.#store.pendingChanges() > 0) this.save().catch(() => {});
  }

  /** Final save, then releases timers, listeners, the channel and the connection. */
  async close() {
    if (this.#closed) return;
    try {
      if (this.#store.pendingChanges() > 0 || this.#saving) await this.save();
    } finally {
      this.#closed = true;
      clearInterval(this.#timer);
      if (this.#onHide) {
        removeEventListener("pagehide", this.#onHide);
        document.removeEventListener("visibilitychange", this.#onHide);
      }
      if (this.#channel) this.#channel.close();
      if (this.#idb) this.#idb.close();
      this.#idb = null;
    }
  }
}

/**
 * `Cinnabar.open(url, options)`: a store backed by `memory://` (nothing kept)
 * or `idb://name` (IndexedDB, see the header comment).
 */
export async function openPersistent(Cinnabar, storeOf, url, options = {}, settle = () => {}) {
  const where = parseUrl(url);
  const {
    durability = "strict",
    saveDelay,
    maxSaveDelay = 5000,
    indexedDB = globalThis.indexedDB,
    locks = globalThis.navigator?.locks,
    onExpired,
    ...dbOptions
  } = options ?? {};
  if (where.kind === "memory") return new Cinnabar(dbOptions);
  if (durability !== "strict" && durability !== "relaxed") {
    throw new RangeError('cinnabar: durability must be "strict" or "relaxed"');
  }
  if (!indexedDB) throw new Error("cinnabar: idb:// needs IndexedDB (in Node, pass { indexedDB } e.g. from fake-indexeddb)");
  const delay = saveDelay ?? (durability === "strict" ? 0 : 1000);
  const db = new Cinnabar(dbOptions);
  const p = new Persistence(storeOf(db), where.name, { durability, saveDelay: delay, maxSaveDelay, indexedDB, locks }, () => settle(db));
  try {
    const loaded = await p.load();
    if (loaded === null) storeOf(db).trackChanges(true);
    if (loaded && loaded.expired.length > 0) {
      if (typeof onExpired === "function") onExpired(loaded.expired);
      // after the caller's `await` resumed and could add listeners
      setTimeout(() => p.dispatchEvent(new CustomEvent("expired", { detail: { keys: loaded.expired } })), 0);
    }
  } catch (e) {
    await p.close().catch(() => {});
    db.close();
    throw e;
  }
  p.start();
  const close = db.close;
  Object.defineProperties(db, {
    persistence: { value: p, enumerable: false },
    save: { value: () => p.save(true), writable: true, configurable: true },
    close: {
      value: async function closePersistent() {
        try {
          await p.close();
        } finally {
          close.call(db);
        }
      },
      writable: true,
      configurable: true,
    },
  });
  return db;
}
