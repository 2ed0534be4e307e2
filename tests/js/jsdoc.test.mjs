// Every public declaration of the package's type files carries a JSDoc comment
// (`/** ... */`): each exported class, function, constant, interface and type,
// and each method of an exported class or interface, or of one they extend
// (for an overloaded method or merged declarations, at least one of them). The check parses the .d.ts files with the
// TypeScript compiler API (typescript is a dev dependency).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import ts from "typescript";

const FILES = ["index.d.ts", "queue.d.ts", "sessions.d.ts"];

const documented = (node) => (node.jsDoc ?? []).length > 0 || ts.getJSDocTags(node).length > 0;
const exported = (node) => ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

/** The undocumented public declarations of one .d.ts file, as "file:line name". */
export function undocumented(file) {
  const text = readFileSync(new URL(`../../pkg/${file}`, import.meta.url), "utf8");
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const missing = [];
  const where = (node, name) => `${file}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1} ${name}`;
  // Declarations of one name merge (interface + class, overloads): one comment among them is enough.
  const groups = new Map();
  const add = (key, node, name) => {
    const g = groups.get(key) ?? { node, name, ok: false };
    g.ok ||= documented(node);
    groups.set(key, g);
  };
  for (const st of sf.statements) {
    // A class or interface that is not exported itself may still lend its methods to exported ones (Emitter).
    const lends = (ts.isClassDeclaration(st) || ts.isInterfaceDeclaration(st)) && /extends\s+\w/.test(text) && new RegExp(`extends ${st.name?.getText(sf)}\\b`).test(text);
    if (!exported(st) && !lends) continue;
    const names = ts.isVariableStatement(st) ? st.declarationList.declarations.map((d) => d.name.getText(sf)) : [st.name?.getText(sf) ?? "(default)"];
    for (const n of names) add(`top:${n}`, st, n);
    if (ts.isClassDeclaration(st) || ts.isInterfaceDeclaration(st)) {
      const owner = st.name.getText(sf);
      for (const m of st.members) {
        if (!(ts.isMethodDeclaration(m) || ts.isMethodSignature(m) || ts.isConstructorDeclaration(m) || ts.isGetAccessor(m))) continue;
        if (m.modifiers?.some((x) => x.kind === ts.SyntaxKind.PrivateKeyword)) continue;
        const n = ts.isConstructorDeclaration(m) ? "constructor" : m.name.getText(sf);
        if (n.startsWith("_")) continue;
        add(`${owner}.${n}`, m, `${owner}.${n}`);
      }
    }
  }
  for (const { node, name, ok } of groups.values()) if (!ok) missing.push(where(node, name));
  return missing;
}

for (const file of FILES) {
  test(`every public declaration in pkg/${file} has a JSDoc comment`, () => {
    const missing = undocumented(file);
    assert.deepEqual(missing, [], `add a /** ... */ comment to:\n  ${missing.join("\n  ")}`);
  });
}
