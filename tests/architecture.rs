//! The shape of the source tree, checked so that it stays the way the README's "Source layout"
//! describes it: no import cycle between source files, no source file over 600 lines of
//! non-test code (blank and comment lines not counted), and the key-format parsers in
//! `src/keys/formats/` as leaves that import nothing from the rest of `keys`.
//!
//! A file's edges are the `crate::…` and `super::…` paths it names (in `use` declarations and
//! in code), each resolved to the deepest module that has a file. A path from a module into
//! one of its own descendants is not an edge: a parent declares its children and re-exports or
//! dispatches to them, while the children use the parent's types (`keys.rs` and the family
//! files, by design). Every other edge counts, so two sibling files that use each other, or a
//! file that reaches back through another subtree, form a cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

const MAX_NON_TEST_LINES: usize = 600;

/// A source file and the module path it defines (`keys::jwk::parse`; the crate root is `""`).
struct SourceFile {
    path: PathBuf,
    module: String,
    text: String,
}

fn source_files() -> Vec<SourceFile> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let mut pending = vec![root.clone()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).expect("src is readable") {
            let path = entry.expect("src entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(&root).expect("under src");
                let mut parts: Vec<String> = relative
                    .iter()
                    .map(|p| p.to_string_lossy().into_owned())
                    .collect();
                let last = parts.pop().expect("a file name");
                let stem = last.trim_end_matches(".rs");
                if !matches!(stem, "lib" | "mod") {
                    parts.push(stem.to_owned());
                }
                let text = fs::read_to_string(&path).expect("source is UTF-8");
                files.push(SourceFile {
                    path,
                    module: parts.join("::"),
                    text,
                });
            }
        }
    }
    files.sort_by(|a, b| a.module.cmp(&b.module));
    files
}

/// Test-only files: a `tests.rs` module, or a file whose parent declares it `#[cfg(test)]`.
fn is_test_module(file: &SourceFile) -> bool {
    file.module == "tests" || file.module.ends_with("::tests")
}

/// The file's lines before its first `#[cfg(test)]`, without blank and comment lines.
fn non_test_lines(text: &str) -> usize {
    text.lines()
        .take_while(|line| !line.trim_start().starts_with("#[cfg(test)]"))
        .filter(|line| {
            let t = line.trim();
            !t.is_empty() && !t.starts_with("//")
        })
        .count()
}

/// The code of a file before its test module, with comments removed (doc examples name
/// `webtoken::…`, never `crate::…`, but a comment may mention a path in prose).
fn code(text: &str) -> String {
    text.lines()
        .take_while(|line| !line.trim_start().starts_with("#[cfg(test)]"))
        .map(|line| match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every module path the code names through `crate::` or `super::`, including the items of a
/// `use crate::a::{b, c::d}` group.
fn named_paths(module: &str, code: &str) -> BTreeSet<Vec<String>> {
    let mut paths = BTreeSet::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !code.is_char_boundary(i) {
            i += 1;
            continue;
        }
        let rest = &code[i..];
        let boundary = i == 0
            || !(bytes[i - 1].is_ascii_alphanumeric()
                || bytes[i - 1] == b'_'
                || bytes[i - 1] == b':');
        let (base, skip): (Vec<String>, usize) = if boundary && rest.starts_with("crate::") {
            (Vec::new(), "crate::".len())
        } else if boundary && rest.starts_with("super::") {
            // `super` is the parent module, whether the file is `a/b.rs` or `a/b/mod.rs`.
            let mut parent: Vec<String> = split(module);
            parent.pop();
            let mut skip = "super::".len();
            while code[i + skip..].starts_with("super::") {
                parent.pop();
                skip += "super::".len();
            }
            (parent, skip)
        } else {
            i += 1;
            continue;
        };
        collect_tree(&code[i + skip..], &base, &mut paths);
        i += skip;
    }
    paths
}

fn split(module: &str) -> Vec<String> {
    if module.is_empty() {
        Vec::new()
    } else {
        module.split("::").map(str::to_owned).collect()
    }
}

/// Reads `a::b::{c, d::e}`-style trees at the start of `text` into full paths.
fn collect_tree(text: &str, base: &[String], out: &mut BTreeSet<Vec<String>>) -> usize {
    let mut path = base.to_vec();
    let mut pos = 0;
    let bytes = text.as_bytes();
    loop {
        let start = pos;
        while pos < bytes.len() && (bytes[pos].is_ascii_alphanumeric() || bytes[pos] == b'_') {
            pos += 1;
        }
        if pos > start {
            path.push(text[start..pos].to_owned());
        }
        if text[pos..].starts_with("::{") {
            pos += 3;
            loop {
                while pos < bytes.len()
                    && (bytes[pos] == b' ' || bytes[pos] == b'\n' || bytes[pos] == b',')
                {
                    pos += 1;
                }
                if pos >= bytes.len() || bytes[pos] == b'}' {
                    pos += 1;
                    break;
                }
                pos += collect_tree(&text[pos..], &path, out);
                if pos >= bytes.len() {
                    break;
                }
            }
            return pos;
        } else if text[pos..].starts_with("::") {
            pos += 2;
        } else {
            out.insert(path);
            // Skip an `as alias`.
            return pos;
        }
    }
}

/// The longest prefix of `path` that is a module with a file.
fn owning_module(path: &[String], modules: &BTreeSet<String>) -> Option<String> {
    (0..=path.len())
        .rev()
        .map(|n| path[..n].join("::"))
        .find(|m| modules.contains(m))
}

fn is_descendant(module: &str, of: &str) -> bool {
    of.is_empty() || module.starts_with(&format!("{of}::"))
}

fn edges() -> BTreeMap<String, BTreeSet<String>> {
    let files: Vec<SourceFile> = source_files()
        .into_iter()
        .filter(|f| !is_test_module(f))
        .collect();
    let modules: BTreeSet<String> = files.iter().map(|f| f.module.clone()).collect();
    let mut graph = BTreeMap::new();
    for file in &files {
        let mut targets = BTreeSet::new();
        for path in named_paths(&file.module, &code(&file.text)) {
            if let Some(target) = owning_module(&path, &modules) {
                if target != file.module && !is_descendant(&target, &file.module) {
                    targets.insert(target);
                }
            }
        }
        graph.insert(file.module.clone(), targets);
    }
    graph
}

/// One cycle of the graph, if there is any (depth-first search with colours).
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_owned(), 1);
        stack.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next.as_str()).copied().unwrap_or(0) {
                0 => {
                    if let Some(cycle) = visit(next, graph, state, stack) {
                        return Some(cycle);
                    }
                }
                1 => {
                    let start = stack.iter().position(|m| m == next).unwrap_or(0);
                    let mut cycle = stack[start..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(node.to_owned(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if state.get(node.as_str()).copied().unwrap_or(0) == 0 {
            if let Some(cycle) = visit(node, graph, &mut state, &mut Vec::new()) {
                return Some(cycle);
            }
        }
    }
    None
}

fn show(module: &str) -> &str {
    if module.is_empty() { "crate" } else { module }
}

#[test]
fn no_import_cycle_between_modules() {
    let graph = edges();
    if let Some(cycle) = find_cycle(&graph) {
        let shown: Vec<&str> = cycle.iter().map(|m| show(m)).collect();
        panic!("import cycle: {}", shown.join(" -> "));
    }
}

#[test]
fn no_source_file_over_the_line_limit() {
    let over: Vec<String> = source_files()
        .iter()
        .filter(|f| !is_test_module(f))
        .map(|f| (f, non_test_lines(&f.text)))
        .filter(|(_, n)| *n > MAX_NON_TEST_LINES)
        .map(|(f, n)| format!("{} ({n} lines)", f.path.display()))
        .collect();
    assert!(
        over.is_empty(),
        "files over {MAX_NON_TEST_LINES} lines of non-test code: {over:?}"
    );
}

#[test]
fn key_formats_are_leaves() {
    for (module, targets) in edges() {
        if module.starts_with("keys::formats") {
            let outside: Vec<&String> = targets
                .iter()
                .filter(|t| t.starts_with("keys") && !t.starts_with("keys::formats"))
                .collect();
            assert!(
                outside.is_empty(),
                "{module} imports {outside:?}: the format parsers must not import from keys"
            );
        }
    }
}

/// The checks above find what they look for: a cycle in a small graph, and the paths of a
/// `use` group.
#[test]
fn the_checks_see_cycles_and_use_groups() {
    let mut graph = BTreeMap::new();
    graph.insert("a".to_owned(), BTreeSet::from(["b".to_owned()]));
    graph.insert("b".to_owned(), BTreeSet::from(["c".to_owned()]));
    graph.insert("c".to_owned(), BTreeSet::from(["a".to_owned()]));
    assert_eq!(
        find_cycle(&graph),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    graph.insert("c".to_owned(), BTreeSet::new());
    assert_eq!(find_cycle(&graph), None);

    let paths = named_paths(
        "keys::jwk::parse",
        "use crate::a::{b, c::{d, e}};\nuse super::convert::Thing;\nlet x = crate::f::g();",
    );
    let expected: BTreeSet<Vec<String>> = [
        vec!["a", "b"],
        vec!["a", "c", "d"],
        vec!["a", "c", "e"],
        vec!["keys", "jwk", "convert", "Thing"],
        vec!["f", "g"],
    ]
    .into_iter()
    .map(|p| p.into_iter().map(str::to_owned).collect())
    .collect();
    assert_eq!(paths, expected);
    assert_eq!(
        non_test_lines("a\n\n// c\nb\n#[cfg(test)]\nmod tests {}\n"),
        2
    );
}
