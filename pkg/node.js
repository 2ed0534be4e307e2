// Node entry: instantiates the wasm synchronously (no top-level await, so
// `require("cinnabar")` works too) and exports the API.
import { readFileSync } from "node:fs";
import * as glue from "./dist/cinnabar.js";
import { _setup } from "./src/cinnabar.js";

_setup(glue, glue.initSync({ module: readFileSync(new URL("./dist/cinnabar_bg.wasm", import.meta.url)) }));

export { Cinnabar, Pipeline, ReplyError } from "./src/cinnabar.js";
export { SnapshotError } from "./src/snapshot.js";
