// A module Worker running its own store. Import maps do not apply in workers,
// so it imports the package entry by path. The entry instantiates the wasm with
// top-level await, and messages that arrive before the module has finished
// evaluating are dropped: so the worker says "ready" first.
import { Cinnabar, ReplyError } from "../pkg/browser.js";

const db = new Cinnabar();
self.onmessage = ({ data: { id, argv } }) => {
  try {
    self.postMessage({ id, reply: db.call(...argv) });
  } catch (e) {
    self.postMessage({ id, error: e.message, code: e instanceof ReplyError ? e.code : undefined });
  }
};
self.postMessage({ ready: true });
