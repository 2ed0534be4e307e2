// `npm pack` pkg/ and install the tarball into a scratch project, as a user would.
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { execFileSync } from "node:child_process";
import { PKG } from "./load.mjs";

const npm = (args, cwd) =>
  execFileSync("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], { cwd, encoding: "utf8" });

/** Returns { dir, tarball, files, cleanup }: a project with `cinnabar` installed from its tarball. */
export function packAndInstall(extraPackageJson = {}) {
  const dir = mkdtempSync(join(tmpdir(), "cinnabar-consumer-"));
  const [info] = JSON.parse(npm(["pack", "--json", "--pack-destination", dir], PKG));
  const tarball = join(dir, info.filename);
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "consumer", private: true, version: "0.0.0", ...extraPackageJson }, null, 2),
  );
  npm(["install", tarball], dir);
  return { dir, tarball, files: info.files.map((f) => f.path), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
