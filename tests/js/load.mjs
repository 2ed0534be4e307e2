// Loads the built package for the node tests, failing loudly when the wasm
// part (pkg/dist/, git-ignored) has not been built.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const PKG = fileURLToPath(new URL("../../pkg/", import.meta.url));

const wasm = new URL("../../pkg/dist/cinnabar_bg.wasm", import.meta.url);
if (!existsSync(wasm)) {
  throw new Error(`${fileURLToPath(wasm)} is missing: run \`npm run build\` (scripts/build-pkg.sh) first`);
}
export const { Cinnabar, Pipeline, ReplyError } = await import("../../pkg/node.js");
export const commandNames = () => Cinnabar.commands.map((c) => c.name);
