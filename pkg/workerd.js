// Cloudflare Workers (workerd) entry: workerd compiles no wasm from bytes and
// has no usable import.meta.url, so the .wasm is imported as a module.
import wasmModule from "./dist/cinnabar_bg.wasm";
import * as glue from "./dist/cinnabar.js";
import { _setup } from "./src/cinnabar.js";

// No timer: workerd cancels a request's timers when it ends (see src/cinnabar.js).
_setup(glue, glue.initSync({ module: wasmModule }), { timer: false });

export { Cinnabar, Pipeline, ReplyError } from "./src/cinnabar.js";
export { SnapshotError } from "./src/snapshot.js";
