// The BroadcastChannel bridge: carries PUBLISH (and SPUBLISH, and opt-in
// keyspace events) between stores in other tabs, iframes, workers and Node
// worker_threads that joined the same bridge name.
//
// Envelope (structured-cloned, one per publish):
//   { v: 1, type: "publish" | "spublish" | "keyspace", channel, message, origin }
// `channel` and `message` are strings when the bytes are valid UTF-8 and
// Uint8Array otherwise, so bytes always arrive exactly. `origin` is a random id
// per store: a member ignores its own envelopes (BroadcastChannel does not echo
// to the sending object anyway; the check also guards against a second channel
// object of the same store). BroadcastChannel delivers each message once to
// every other member, in posting order per sender, which gives "exactly once,
// in publish order per sender". Anything that is not a valid v1 envelope is
// ignored, so other code may share the channel name.
//
// Runtimes without BroadcastChannel (Cloudflare Workers / workerd) cannot join:
// `new Cinnabar({ bridge })` throws a clear error there.

export const ENVELOPE_VERSION = 1;
const TYPES = new Set(["publish", "spublish", "keyspace"]);

function randomId() {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === "function") return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

const isBytesOrString = (x) => typeof x === "string" || x instanceof Uint8Array;

export class Bridge {
  /**
   * @param {string} name the bridge name; the BroadcastChannel is `cinnabar:<name>`
   * @param {(type: string, channel: string|Uint8Array, message: string|Uint8Array) => void} receive
   */
  constructor(name, receive) {
    if (typeof globalThis.BroadcastChannel !== "function") {
      throw new Error(
        "cinnabar: the bridge option needs BroadcastChannel, which this runtime does not provide " +
          "(e.g. Cloudflare Workers); create the store without { bridge }",
      );
    }
    this.origin = randomId();
    this.channel = new BroadcastChannel(`cinnabar:${name}`);
    this.channel.onmessage = (e) => {
      const d = e.data;
      if (
        d === null ||
        typeof d !== "object" ||
        d.v !== ENVELOPE_VERSION ||
        d.origin === this.origin ||
        !TYPES.has(d.type) ||
        !isBytesOrString(d.channel) ||
        !isBytesOrString(d.message)
      ) {
        return;
      }
      receive(d.type, d.channel, d.message);
    };
  }

  post(type, channel, message) {
    if (this.channel === null) return;
    this.channel.postMessage({ v: ENVELOPE_VERSION, type, channel, message, origin: this.origin });
  }

  close() {
    if (this.channel === null) return;
    this.channel.onmessage = null;
    this.channel.close();
    this.channel = null;
  }
}
