// Types of "cinnabar/sessions".
import type { Cinnabar } from "./index.js";

/** A session value as stored: strings (and bytes) go in as they are, numbers/booleans as text. */
export type SessionValue = string | number | boolean | bigint | Uint8Array;

/** Options of `new Sessions(db, options)`. */
export interface SessionsOptions {
  /** Lifetime: "30m" (default), "12h", "45s", "250ms", "7d", or milliseconds. Sliding with `touch`. */
  ttl?: string | number;
  /** Key prefix (default "sess:"): a session lives in the hash `prefix + id`. */
  prefix?: string;
}

/**
 * Sessions stored as hashes with TTLs, so HGETALL and TTL see the same data;
 * with `Cinnabar.open("idb://…")` they survive reloads with their TTLs counting.
 * Ids are 128 random bits (crypto.getRandomValues) as 32 hex digits.
 *
 * @example
 * ```ts
 * import { Cinnabar } from "cinnabar";
 * import { Sessions } from "cinnabar/sessions";
 * const db = await Cinnabar.open("idb://app");
 * const sessions = new Sessions(db, { ttl: "30m", prefix: "sess:" });
 * const id = sessions.create({ user: "ada" });
 * sessions.get(id);            // { user: "ada" }
 * db.hgetall(sessions.key(id)); // { _created: "1764…", user: "ada" }
 * ```
 */
export declare class Sessions {
  /** Sessions kept in `db` (any store; one opened with `Cinnabar.open` persists them). */
  constructor(db: Cinnabar, options?: SessionsOptions);
  /** The lifetime in milliseconds. */
  readonly ttl: number;
  /**
   * The key a session lives under.
   * @example db.ttl(sessions.key(id))
   */
  key(id: string): string;
  /**
   * Creates a session holding `data` (plus a `_created` field, Unix ms); returns its id.
   * @example const id = sessions.create({ user: "ada", cart: 3 })
   */
  create(data?: Record<string, SessionValue>): string;
  /**
   * The session's fields (without `_created`), or null when missing, expired or malformed.
   * @example sessions.get(id)?.user
   */
  get(id: string): Record<string, string> | null;
  /**
   * Sets one field of an existing session; false when it is missing.
   * @example sessions.set(id, "cart", 4)
   */
  set(id: string, field: string, value: SessionValue): boolean;
  /**
   * Restarts the session's lifetime (sliding expiry); false when missing.
   * @example sessions.touch(id)
   */
  touch(id: string): boolean;
  /**
   * Milliseconds left, or null when missing.
   * @example sessions.ttlOf(id) // 1799987
   */
  ttlOf(id: string): number | null;
  /**
   * Deletes the session; false when it was missing.
   * @example sessions.destroy(id)
   */
  destroy(id: string): boolean;
  /**
   * Ids of the live sessions.
   * @example for (const id of sessions.list()) sessions.touch(id)
   */
  list(): string[];
}

/**
 * Parses a lifetime ("30m", "1h", "45s", "250ms", "7d", or ms) into milliseconds.
 * @example parseTtl("30m") // 1800000
 */
export declare function parseTtl(ttl: string | number): number;
