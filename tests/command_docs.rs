//! Generates `docs/commands.md`, the command reference, from the command table
//! (`cmd::families()`, with each command's subcommands) and the COMMAND DOCS /
//! COMMAND INFO metadata recorded from redis-server 7.0 (`src/cmd/meta.txt`),
//! plus the hand-written notes in `docs/command-notes.md`, and fails when the
//! checked-in file differs. Update it with:
//!
//!     CINNABAR_UPDATE_DOCS=1 cargo test --test command_docs
//!
//! Syntax lines are rendered from the COMMAND DOCS argument tree the way
//! redis.io renders them: `[...]` optional, `<a | b>` a required choice,
//! `x [x ...]` repeated, `TOKEN value` for a token argument.

use cinnabar::cmd::{families, meta, CommandSpec, BLOCKING, FLAG_NAMES};
use cinnabar::reply::Reply;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::PathBuf;

const UPDATE: &str = "CINNABAR_UPDATE_DOCS=1 cargo test --test command_docs";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A flat map reply's value for `key`.
fn get<'r>(map: &'r Reply, key: &str) -> Option<&'r Reply> {
    let Reply::Array(v) = map else { return None };
    v.chunks(2).find(|p| p[0] == Reply::bulk_str(key)).and_then(|p| p.get(1))
}

fn text(r: Option<&Reply>) -> Option<String> {
    match r? {
        Reply::Bulk(b) => Some(String::from_utf8_lossy(b).into_owned()),
        Reply::Status(s) => Some(s.to_string()),
        Reply::Int(n) => Some(n.to_string()),
        _ => None,
    }
}

fn items(r: Option<&Reply>) -> &[Reply] {
    match r {
        Some(Reply::Array(v)) => v,
        _ => &[],
    }
}

fn has_flag(arg: &Reply, flag: &str) -> bool {
    items(get(arg, "flags")).iter().any(|f| text(Some(f)).as_deref() == Some(flag))
}

/// One argument of the COMMAND DOCS tree, rendered as redis.io does.
fn syntax(arg: &Reply) -> String {
    let typ = text(get(arg, "type")).unwrap_or_default();
    let optional = has_flag(arg, "optional");
    let token = text(get(arg, "token")).map(|t| if t.is_empty() { "\"\"".to_string() } else { t });
    let children = items(get(arg, "arguments"));
    let body = match typ.as_str() {
        "block" => children.iter().map(syntax).collect::<Vec<_>>().join(" "),
        "oneof" => children.iter().map(syntax).collect::<Vec<_>>().join(" | "),
        "pure-token" => String::new(),
        _ => text(get(arg, "display_text")).or_else(|| text(get(arg, "name"))).unwrap_or_default(),
    };
    let angle = typ == "oneof" && (!optional || token.is_some());
    let mut s = String::new();
    if optional {
        s.push('[');
    }
    if let Some(t) = &token {
        s.push_str(t);
        if typ != "pure-token" {
            s.push(' ');
        }
    }
    if angle {
        s.push('<');
    }
    s.push_str(&body);
    if has_flag(arg, "multiple") {
        match (&token, has_flag(arg, "multiple_token")) {
            (Some(t), true) => write!(s, " [{t} {body} ...]").unwrap(),
            _ => write!(s, " [{body} ...]").unwrap(),
        }
    }
    let mut s = s.trim_end().to_string();
    if angle {
        s.push('>');
    }
    if optional {
        s.push(']');
    }
    s
}

fn display_name(spec: &CommandSpec) -> String {
    spec.fullname.replace('|', " ").to_ascii_uppercase()
}

/// GitHub's heading anchor: lower case, spaces to `-`, other punctuation dropped.
fn anchor(name: &str) -> String {
    name.to_ascii_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_ascii_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// Markdown-escapes `*`, `_`, `<`, `>` and `|` outside backtick spans (the
/// recorded summaries use backticks for code).
fn md(s: &str) -> String {
    let mut out = String::new();
    let mut code = false;
    for c in s.chars() {
        if c == '`' {
            code = !code;
        }
        if !code && matches!(c, '*' | '_' | '<' | '>' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Group names as redis.io titles them, in the order the table's families come.
fn group_title(g: &str) -> String {
    match g {
        "string" => "Strings",
        "generic" => "Keys (generic)",
        "server" => "Server",
        "connection" => "Connection",
        "transactions" => "Transactions",
        "hyperloglog" => "HyperLogLog",
        "bitmap" => "Bitmaps",
        "set" => "Sets",
        "hash" => "Hashes",
        "sorted-set" => "Sorted sets",
        "pubsub" => "Publish/subscribe",
        "list" => "Lists",
        "geo" => "Geospatial",
        "stream" => "Streams",
        other => other,
    }
    .to_string()
}

/// `docs/command-notes.md`: `## NAME[, NAME ...]` headings (full names such as
/// `CONFIG SET`), each followed by the note for every command it names.
fn notes() -> BTreeMap<String, Vec<String>> {
    let path = root().join("docs/command-notes.md");
    let src = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut current: Vec<String> = Vec::new();
    let mut body = String::new();
    let mut flush = |names: &Vec<String>, body: &mut String| {
        let t = body.trim();
        if !t.is_empty() {
            for n in names {
                out.entry(n.clone()).or_default().push(t.to_string());
            }
        }
        body.clear();
    };
    for line in src.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            flush(&current, &mut body);
            current = h.split(',').map(|n| n.trim().to_ascii_uppercase()).filter(|n| !n.is_empty()).collect();
        } else if !current.is_empty() {
            body.push_str(line);
            body.push('\n');
        }
    }
    flush(&current, &mut body);
    out
}

/// The typed methods of `CommandSignatures` in pkg/index.d.ts.
fn js_methods() -> Vec<String> {
    let src = std::fs::read_to_string(root().join("pkg/index.d.ts")).unwrap_or_default();
    let mut out = Vec::new();
    let mut inside = false;
    for line in src.lines() {
        if line.starts_with("export interface CommandSignatures") {
            inside = true;
        } else if inside && line.starts_with('}') {
            break;
        } else if inside {
            let t = line.trim_start();
            if line.len() - t.len() == 2 {
                let name: String = t.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                if !name.is_empty() && t[name.len()..].starts_with(['(', '<']) {
                    out.push(name);
                }
            }
        }
    }
    out
}

fn entry(spec: &CommandSpec, notes: &BTreeMap<String, Vec<String>>, js: &[String], out: &mut String, used: &mut Vec<String>) {
    let name = display_name(spec);
    let docs = meta::docs(spec);
    let args: Vec<String> = items(get(&docs, "arguments")).iter().map(syntax).collect();
    let line = if args.is_empty() { name.clone() } else { format!("{name} {}", args.join(" ")) };
    writeln!(out, "### {name}\n").unwrap();
    writeln!(out, "```\n{line}\n```\n").unwrap();
    if let Some(s) = text(get(&docs, "summary")) {
        writeln!(out, "{}\n", md(&s)).unwrap();
    }
    let mut facts = Vec::new();
    if let Some(v) = text(get(&docs, "since")) {
        facts.push(format!("**Since:** {v}"));
    }
    if let Some(c) = text(get(&docs, "complexity")) {
        facts.push(format!("**Complexity:** {}", md(&c)));
    }
    facts.push(format!("**Arity:** {}", spec.arity));
    let flags: Vec<&str> = FLAG_NAMES
        .iter()
        .filter(|(f, n)| spec.flags & f != 0 && !matches!(*n, "may_replicate" | "sentinel"))
        .map(|(_, n)| *n)
        .collect();
    if !flags.is_empty() {
        facts.push(format!("**Flags:** {}", flags.join(", ")));
    }
    let acl = meta::acl_categories(spec);
    if !acl.is_empty() {
        facts.push(format!("**ACL categories:** {}", acl.join(", ")));
    }
    writeln!(out, "{}\n", facts.join(" · ")).unwrap();
    if items(get(&docs, "doc_flags")).iter().any(|f| text(Some(f)).as_deref() == Some("deprecated")) {
        let since = text(get(&docs, "deprecated_since")).unwrap_or_default();
        let by = text(get(&docs, "replaced_by")).map(|r| format!(": replaced by {}", md(&r))).unwrap_or_default();
        writeln!(out, "**Deprecated** since {since}{by}.\n").unwrap();
    }
    let history = items(get(&docs, "history"));
    if !history.is_empty() {
        writeln!(out, "History:").unwrap();
        for h in history {
            let v = items(Some(h));
            let ver = text(v.first()).unwrap_or_default();
            let what = text(v.get(1)).unwrap_or_default();
            writeln!(out, "- {ver}: {}", md(&what)).unwrap();
        }
        writeln!(out).unwrap();
    }
    if spec.is_container() {
        let subs: Vec<String> = spec.subcommands.iter().map(|s| {
            let n = display_name(s);
            format!("[{n}](#{})", anchor(&n))
        }).collect();
        writeln!(out, "Subcommands: {}.\n", subs.join(", ")).unwrap();
    }
    let mut js_note = String::new();
    if !spec.fullname.contains('|') {
        let method = spec.name.replace('-', "_");
        if js.iter().any(|m| m == &method) {
            write!(js_note, "**JS:** `db.{method}(…)`").unwrap();
        } else {
            write!(js_note, "**JS:** `db.call(\"{name}\", …)`").unwrap();
        }
        if spec.flags & BLOCKING != 0 {
            js_note.push_str(
                ", returns a Promise (it may block); pass `{ signal }` as the last argument to cancel the wait. \
                 Inside `multi()` and `pipeline()` it answers at once, as inside MULTI.",
            );
        }
        writeln!(out, "{js_note}\n").unwrap();
    }
    if let Some(ns) = notes.get(&name) {
        used.push(name.clone());
        for n in ns {
            writeln!(out, "**Note:** {n}\n").unwrap();
        }
    }
}

fn generate() -> String {
    let notes = notes();
    let js = js_methods();
    // Groups in the order the families come, commands sorted by name within each.
    let mut groups: Vec<(String, Vec<&'static CommandSpec>)> = Vec::new();
    for fam in families().iter().copied() {
        for spec in fam {
            let g = text(get(&meta::docs(spec), "group")).unwrap_or_else(|| spec.group.to_string());
            match groups.iter_mut().find(|(n, _)| *n == g) {
                Some((_, v)) => v.push(spec),
                None => groups.push((g, vec![spec])),
            }
        }
    }
    for (_, v) in &mut groups {
        v.sort_by_key(|s| s.name);
    }
    let top: usize = groups.iter().map(|(_, v)| v.len()).sum();
    let subs: usize = groups.iter().flat_map(|(_, v)| v.iter()).map(|s| s.subcommands.len()).sum();

    let mut out = String::new();
    out.push_str("# Command reference\n\n");
    out.push_str(
        "<!-- Generated by tests/command_docs.rs; do not edit. Update with:\n     \
         CINNABAR_UPDATE_DOCS=1 cargo test --test command_docs -->\n\n",
    );
    writeln!(
        out,
        "Every command cinnabar supports: {top} commands and {subs} subcommands in {} groups, generated from \
         the command table (`src/cmd/`) and the COMMAND DOCS / COMMAND INFO metadata recorded from redis-server \
         7.0.15 (`src/cmd/meta.txt`; the hash-field TTL commands, which Redis 7.0 lacks, from Valkey 9, so their \
         *since* is Valkey's version). Each answers as redis-server 7.0 does; the notes say where we differ \
         (they come from [command-notes.md](command-notes.md); see also \"How it differs from Redis\" in the \
         [README](../README.md)).\n",
        groups.len()
    )
    .unwrap();
    out.push_str(
        "Syntax is rendered as on redis.io: `[...]` optional, `<a | b>` one of, `x [x ...]` one or more, \
         `TOKEN value` a keyword followed by its value. **JS** names the typed method of a `Cinnabar` \
         instance (every command is also reachable as `db.call(\"NAME\", ...args)`, and the `…Buffer` \
         variants give bytes).\n\n",
    );
    out.push_str("| group | commands |\n|---|---|\n");
    for (g, v) in &groups {
        let links: Vec<String> = v.iter().map(|s| {
            let n = display_name(s);
            format!("[{n}](#{})", anchor(&n))
        }).collect();
        writeln!(out, "| [{}](#{}) | {} |", group_title(g), anchor(&group_title(g)), links.join(" ")).unwrap();
    }
    out.push('\n');
    let mut used = Vec::new();
    for (g, v) in &groups {
        writeln!(out, "## {}\n", group_title(g)).unwrap();
        for spec in v {
            entry(spec, &notes, &js, &mut out, &mut used);
            for sub in spec.subcommands {
                entry(sub, &notes, &js, &mut out, &mut used);
            }
        }
    }
    let unknown: Vec<&String> = notes.keys().filter(|n| !used.contains(n)).collect();
    assert!(unknown.is_empty(), "docs/command-notes.md names commands that are not in the table: {unknown:?}");
    out
}

#[test]
fn redis_io_syntax() {
    let spec = families().iter().flat_map(|f| f.iter()).find(|s| s.name == "set").unwrap();
    let docs = meta::docs(spec);
    let args: Vec<String> = items(get(&docs, "arguments")).iter().map(syntax).collect();
    assert_eq!(
        args.join(" "),
        "key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | \
         PXAT unix-time-milliseconds | KEEPTTL]"
    );
}

#[test]
fn commands_md_is_up_to_date() {
    let want = generate();
    let path = root().join("docs/commands.md");
    if std::env::var_os("CINNABAR_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    if have != want {
        let line = have.lines().zip(want.lines()).position(|(a, b)| a != b).map(|i| i + 1);
        panic!(
            "docs/commands.md is out of date (first difference at line {}): run `{UPDATE}` to update it and commit the result",
            line.map_or_else(|| "end".to_string(), |l| l.to_string())
        );
    }
}
