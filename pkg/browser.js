// Browser / Web Worker / bundler entry: fetches and instantiates the wasm with
// top-level await, so importers get a ready API with no init call. Bundlers
// (Vite, esbuild, webpack) emit the .wasm as an asset from this `new URL` form.
import init, * as glue from "./dist/cinnabar.js";
import { _setup } from "./src/cinnabar.js";

_setup(glue, await init({ module_or_path: new URL("./dist/cinnabar_bg.wasm", import.meta.url) }));

export { Cinnabar, Pipeline, ReplyError } from "./src/cinnabar.js";
export { SnapshotError } from "./src/snapshot.js";
