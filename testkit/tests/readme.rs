//! The README as GitHub and crates.io render it: its Rust examples are complete programs, with
//! no rustdoc-hidden lines (`# ...`), which rustdoc hides but a Markdown renderer shows.
//! (`src/lib.rs` runs the same blocks as doc tests, so they also compile and pass.)

use std::fs;
use std::path::Path;

/// The rustdoc-hidden lines (`#` alone or `# ` first, after indentation) of every Rust code block
/// of `markdown` (info string empty or starting with `rust`), as `(line number, line)`.
fn hidden_lines(markdown: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut in_rust = None;
    for (index, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(info) = trimmed.strip_prefix("```") {
            in_rust = if in_rust.is_some() {
                None // the closing fence
            } else {
                let lang = info.split(',').next().unwrap_or_default().trim();
                Some(lang.is_empty() || lang.starts_with("rust"))
            };
            continue;
        }
        if in_rust == Some(true) && (trimmed == "#" || trimmed.starts_with("# ")) {
            found.push((index + 1, line.to_owned()));
        }
    }
    found
}

#[test]
fn readme_rust_blocks_have_no_hidden_lines() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    let readme = fs::read_to_string(&path).expect("README.md is readable");
    assert!(
        readme.contains("```rust"),
        "README.md has no Rust example: did it move?"
    );
    let hidden = hidden_lines(&readme);
    assert!(
        hidden.is_empty(),
        "README.md shows rustdoc-hidden lines as they are (write each block as a whole \
         program: `fn main() -> Result<..> {{ .. }}`): {hidden:#?}"
    );
}

#[test]
fn hidden_lines_are_found_only_in_rust_blocks() {
    let markdown = "```rust\nlet a = 1;\n# let b = 2;\n    #\n#[derive(Debug)]\n## not hidden\n```\n\
                    ```sh\n# a shell comment\n```\n```\n# hidden\n```\n\
                    ```rust,no_run\n# Ok::<(), ()>(())\n```\n```text\n# text\n```\n";
    let lines: Vec<usize> = hidden_lines(markdown).into_iter().map(|(n, _)| n).collect();
    assert_eq!(lines, [3, 4, 12, 15]);
}
